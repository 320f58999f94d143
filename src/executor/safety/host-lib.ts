// The host side of network safety as one POSIX sh library (written to the run's state directory): a normalized
// snapshot of links, addresses, routes, rules and OVS bridges, a restore that diffs the host against it, the
// watchdog loop, and the file copies taken before the run writes. Every function is idempotent; errors in a
// restore step never stop the next (a host is never left worse than before).

/** Where a run keeps its state on a host (removed on confirm or cleanup). */
export const GUARD_ROOT = '/run/runbook-guard';

/**
 * Snapshot lines (one per fact, sorted): `link NAME mtu N master M|- up|down`, `addr DEV CIDR …` (what `ip addr
 * add` takes), `route4 …`/`route6 …` (what `ip route add` takes), `rule4 pref N …`, `ovs BRIDGE PORT…`.
 * Link-local IPv6 and kernel-made IPv6 routes are left out: the kernel makes them again from the links.
 */
const SNAP = String.raw`
rb_snap() { # every dump through one awk: three ip processes (one -batch per family), the same lines as ever
  # links and addresses from one ip; routes and rules from one per family (a rule line starts "N:<tab>", no route does)
  { ip -o -force -batch - <<'RB_EOF'
link show
addr show
RB_EOF
    echo @route4; ip -4 -o -force -batch - <<'RB_EOF'
route show table all
rule show
RB_EOF
    echo @route6; ip -6 -o -force -batch - 2>/dev/null <<'RB_EOF'
route show table all
rule show
RB_EOF
    if rb_ovs; then echo @ovs; ovs-vsctl --timeout=5 --format=csv --no-headings --data=bare --columns=_uuid,name,ports list Bridge -- --columns=_uuid,name list Port; fi
  } | LC_ALL=C awk '
  function norm(s) {
    sub(/ linkdown/, "", s); sub(/ dead/, "", s); sub(/ offload/, "", s); sub(/ trap/, "", s); sub(/ expires [0-9]*sec/, "", s)
    gsub(/[[:space:]]+/, " ", s); sub(/ $/, "", s); return s }
  function unq(s) { if (s ~ /^".*"$/) { s = substr(s, 2, length(s) - 2); gsub(/""/, "\"", s) } return s }
  function isort(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t } }
  BEGIN { k = "link" }
  /^@/ { k = substr($0, 2); next }
  # one ip printed links then addresses, one per family routes then rules: which a line is, from its own shape
  k == "link" || k == "addr" { k = ($3 ~ /^</) ? "link" : "addr" }
  k ~ /^(route|rule)[46]$/ { k = ($1 ~ /^[0-9]+:$/ ? "rule" : "route") substr(k, length(k)) }
  k == "link" { n = $2; sub(/:$/, "", n); sub(/@.*/, "", n)
    up = ($3 ~ /[<,]UP[,>]/) ? "up" : "down"; mtu = "-"; m = "-"
    for (i = 4; i < NF; i++) { if ($i == "mtu") mtu = $(i + 1); if ($i == "master") m = $(i + 1) }
    print "link " n " mtu " mtu " master " m " " up }
  k == "addr" && ($3 == "inet" || ($3 == "inet6" && $0 !~ / scope link /)) { s = "addr " $2 " " $4
    for (i = 5; i < NF; i++) { if ($i == "brd" || $i == "scope" || $i == "peer") { s = s " " $i " " $(i + 1); i++ } }
    print s }
  k == "route4" { print "route4 " norm($0) }
  k == "route6" && $0 !~ / proto kernel/ && $0 !~ /^fe80/ && $0 !~ / table local/ { print "route6 " norm($0) }
  k ~ /^rule/ { s = norm($0); if (match(s, /^[0-9]*: /)) print k " pref " substr(s, 1, RLENGTH - 2) " " substr(s, RLENGTH + 1) }
  # OVS: bridges (uuid,name,port uuids) until a blank line, then ports (uuid,name); list-ports order, no local port
  k == "ovs" && $0 == "" { ports = 1; next }
  k == "ovs" && !ports { nb++; match($0, /,[^,]*$/); bn[nb] = unq(substr($0, 38, RSTART - 38)); bp[nb] = substr($0, RSTART + 1) }
  k == "ovs" && ports { pn[substr($0, 1, 36)] = unq(substr($0, 38)) }
  END {
    for (b = 1; b <= nb; b++) blist[b] = bn[b] SUBSEP bp[b]
    isort(blist, nb)
    for (b = 1; b <= nb; b++) { split(blist[b], f, SUBSEP); np = split(f[2], u, " "); c = 0; delete pl
      for (i = 1; i <= np; i++) if ((u[i] in pn) && pn[u[i]] != f[1]) pl[++c] = pn[u[i]]
      isort(pl, c); s = "ovs " f[1]; for (i = 1; i <= c; i++) s = s " " pl[i]
      print norm(s) }
  }'
}
rb_ovs() { [ -S /run/openvswitch/db.sock ] && command -v ovs-vsctl >/dev/null 2>&1; }
`;

/** `rb_diff SAVED CURRENT KIND`: `-line` for what only the host has now, `+line` for what only the snapshot has. */
const DIFF = String.raw`
rb_diff() {
  awk -v k="$3" 'function ok(l) { return k == "" || index(l, k " ") == 1 }
    function rest(l) { return k == "" ? l : substr(l, length(k) + 2) }
    NR == FNR { if (ok($0)) s[$0] = 1; next }
    ok($0) { if ($0 in s) s[$0] = 2; else print "-" rest($0) }
    END { for (l in s) if (s[l] == 1) print "+" rest(l) }' "$1" "$2"
}
rb_ip() { # $1: -4, -6 or '', then batch lines on stdin; added twice so a route whose gateway comes later still lands
  b=$(cat); [ -n "$b" ] || return 0
  printf '%s\n' "$b" | ip $1 -force -batch - 2>/dev/null
  printf '%s\n' "$b" | grep '^route add\|^rule add' | ip $1 -force -batch - 2>/dev/null; return 0
}
`;

/** Restore: OVS first (it lets go of the uplink), then links, addresses, routes, rules, files. */
const RESTORE = `
rb_restore() {
  cur="$D/cur"; rb_snap > "$cur"
  if [ -s "$D/ovs.db" ] && rb_ovs && [ -n "$(rb_diff "$D/snap" "$cur" ovs)" ]; then
    ovsdb-client restore unix:/run/openvswitch/db.sock Open_vSwitch < "$D/ovs.db" >/dev/null 2>&1
    i=0; while [ $i -lt 10 ] && [ -n "$(rb_snap > "$cur"; rb_diff "$D/snap" "$cur" ovs)" ]; do sleep 0.5; i=$((i + 1)); done
    rb_snap > "$cur"
  fi
  awk 'NR == FNR { if ($1 == "link") s[$2] = $0; next } $1 == "link" { c[$2] = $0 }
    END {
      for (n in c) if (!(n in s) && n != "ovs-system") print "link del dev " n
      for (n in s) if ((n in c) && s[n] != c[n]) { split(s[n], f, " ")
        print "link set dev " n (f[6] == "-" ? " nomaster" : " master " f[6]) (f[4] == "-" ? "" : " mtu " f[4]) " " f[7] }
    }' "$D/snap" "$cur" | rb_ip ''
  rb_snap > "$cur"
  rb_diff "$D/snap" "$cur" addr | awk '{ op = substr($1, 1, 1) == "-" ? "del" : "add"; dev = substr($1, 2); $1 = ""
    sub(/^ /, ""); if (op == "del") { split($0, f, " "); print "address del " f[1] " dev " dev } else print "address add " $0 " dev " dev }' | rb_ip ''
  rb_snap > "$cur"
  for f in 4 6; do
    rb_diff "$D/snap" "$cur" route$f | sed -n 's/^-/route del /p' | rb_ip -$f
    rb_diff "$D/snap" "$cur" route$f | sed -n 's/^+/route add /p' | rb_ip -$f
    rb_diff "$D/snap" "$cur" rule$f | sed -n 's/^-/rule del /p' | rb_ip -$f
    rb_diff "$D/snap" "$cur" rule$f | sed -n 's/^+/rule add /p' | rb_ip -$f
  done
  rb_files_restore
  rm -f "$cur"
}
rb_verify() { # what still differs from the snapshot (empty: the host equals it)
  rb_snap > "$D/cur"; rb_diff "$D/snap" "$D/cur" '' | sort; rm -f "$D/cur"
  while IFS='	' read -r k dest i; do
    case $k in F) cmp -s "$D/f/$i" "$dest" || echo "file $dest" ;; P) [ "$(cat "$D/f/$i")" = "$(cat "$dest")" ] || echo "file $dest" ;; N) [ ! -e "$dest" ] || echo "file $dest (new)" ;; esac
  done < "$D/files"
}
`;

/** File copies: `rb_keep PATH` before the run writes it (once per path), and putting them back. */
const FILES = String.raw`
rb_keep() { # directories are not copied (a task that makes one is not undone)
  [ -d "$1" ] && return 0
  # the copy's number: lines in $D/files, counted once per shell (read is a builtin: no wc per file)
  if [ -z "$RB_N" ]; then RB_N=0; while IFS= read -r _l; do RB_N=$((RB_N + 1)); done < "$D/files"; fi
  [ -d "$D/f" ] || mkdir -p "$D/f"
  i=$RB_N
  case $1 in /proc/sys/*) cat "$1" > "$D/f/$i" && printf 'P\t%s\t%s\n' "$1" "$i" >> "$D/files" && RB_N=$((i + 1)); return ;; esac
  if [ -e "$1" ]; then cp -p "$1" "$D/f/$i" && printf 'F\t%s\t%s\n' "$1" "$i" >> "$D/files" && RB_N=$((i + 1))
  else printf 'N\t%s\t\n' "$1" >> "$D/files" && RB_N=$((i + 1)); fi
}
rb_files_restore() {
  while IFS='	' read -r k dest i; do
    case $k in
      F) cp -p "$D/f/$i" "$dest.rb-restore" && mv -f "$dest.rb-restore" "$dest" ;;
      P) cat "$D/f/$i" > "$dest" ;;
      N) rm -f "$dest" ;;
    esac
  done < "$D/files"
}
`;

/**
 * The watchdog: sleeps until the deadline (runbook moves it later while it works; each wake reads it again: one
 * `date` per wake, not per second), then restores unless disarmed first. `armed` → `firing` or `disarmed` is one
 * rename, so exactly one side wins. Disarm and cleanup end it by killing its process group; a fire (deadline 0)
 * wakes it with USR1 (ignored from the restore on, so no restore step is hit). `watch N`: the deadline is N s from
 * now unless one is written already (noclobber: a fire that came first wins). After a restore it keeps the state for
 * runbook to check, and removes it after `keep` seconds if runbook never comes.
 */
const WATCH = `
rb_watch() {
  echo $$ > "$D/pid"
  trap : USR1
  now=$(date +%s)
  set -C; { echo $((now + \${1:-0})) > "$D/deadline"; } 2>/dev/null; set +C
  while [ -e "$D/armed" ]; do
    dl=; read -r dl 2>/dev/null < "$D/deadline"
    case $dl in ''|*[!0-9]*) dl=$((now + 1)) ;; esac # being rewritten (or gone): look again in a second
    [ "$now" -lt "$dl" ] || break
    sleep $((dl - now)) & s=$!
    # read again after the sleep started: a fire that wrote before this read is seen, one after it wakes the sleep
    d2=; read -r d2 2>/dev/null < "$D/deadline"
    if [ "$d2" = "$dl" ] && [ -e "$D/armed" ]; then wait $s; else kill $s 2>/dev/null; wait $s; fi
    now=$(date +%s)
  done
  trap '' USR1
  mv "$D/armed" "$D/firing" 2>/dev/null || exit 0
  rb_restore > "$D/restore.log" 2>&1
  rb_verify > "$D/verify" 2>&1
  touch "$D/restored"
  sleep "$KEEP"; rm -rf "$D"; rmdir "${GUARD_ROOT}" 2>/dev/null; exit 0
}
`;

/** The library for one run's directory; `sh lib.sh watch` runs the watchdog. */
export function hostLib(dir: string, keepSeconds: number): string {
  return [
    `D='${dir}'`,
    `KEEP=${Math.max(1, Math.floor(keepSeconds))}`,
    SNAP,
    DIFF,
    RESTORE,
    FILES,
    WATCH,
    'if [ "$1" = watch ]; then rb_watch "$2"; fi',
    '',
  ].join('\n');
}
