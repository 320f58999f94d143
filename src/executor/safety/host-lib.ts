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
rb_norm() { sed -e 's/ linkdown//; s/ dead//; s/ offload//; s/ trap//; s/ expires [0-9]*sec//' -e 's/[[:space:]][[:space:]]*/ /g; s/ $//'; }
rb_snap() {
  ip -o link show | awk '{
    n = $2; sub(/:$/, "", n); sub(/@.*/, "", n)
    up = ($3 ~ /[<,]UP[,>]/) ? "up" : "down"; mtu = "-"; m = "-"
    for (i = 4; i < NF; i++) { if ($i == "mtu") mtu = $(i + 1); if ($i == "master") m = $(i + 1) }
    print "link " n " mtu " mtu " master " m " " up }'
  ip -o addr show | awk '$3 == "inet" || ($3 == "inet6" && $0 !~ / scope link /) {
    s = "addr " $2 " " $4
    for (i = 5; i < NF; i++) { if ($i == "brd" || $i == "scope" || $i == "peer") { s = s " " $i " " $(i + 1); i++ } }
    print s }'
  ip -4 -o route show table all | rb_norm | sed 's/^/route4 /'
  ip -6 -o route show table all 2>/dev/null | grep -v ' proto kernel' | grep -v '^fe80' | grep -v ' table local' | rb_norm | sed 's/^/route6 /'
  ip -4 rule show | rb_norm | sed -n 's/^\([0-9]*\): /rule4 pref \1 /p'
  ip -6 rule show 2>/dev/null | rb_norm | sed -n 's/^\([0-9]*\): /rule6 pref \1 /p'
  if rb_ovs; then for b in $(ovs-vsctl --timeout=5 list-br); do echo "ovs $b $(ovs-vsctl --timeout=5 list-ports "$b" | tr '\n' ' ')" | rb_norm; done; fi
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
  i=$(wc -l < "$D/files"); mkdir -p "$D/f"
  case $1 in /proc/sys/*) cat "$1" > "$D/f/$i" && printf 'P\t%s\t%s\n' "$1" "$i" >> "$D/files"; return ;; esac
  if [ -e "$1" ]; then cp -p "$1" "$D/f/$i" && printf 'F\t%s\t%s\n' "$1" "$i" >> "$D/files"
  else printf 'N\t%s\t\n' "$1" >> "$D/files"; fi
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
 * The watchdog: waits until the deadline (runbook moves it later while it works), then restores unless disarmed
 * first. `armed` → `firing` or `disarmed` is one rename, so exactly one side wins. After a restore it keeps the
 * state for runbook to check, and removes it after `keep` seconds if runbook never comes.
 */
const WATCH = `
rb_watch() {
  echo $$ > "$D/pid"
  while [ -e "$D/armed" ]; do
    [ "$(date +%s)" -lt "$(cat "$D/deadline" 2>/dev/null || echo 0)" ] || break
    sleep 1
  done
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
    'if [ "$1" = watch ]; then rb_watch; fi',
    '',
  ].join('\n');
}
