// Lab hosts run no systemd; playbooks still say `systemctl restart docker`, so each host gets an honest stand-in.
/**
 * /bin/sh script installed as /etc/runbook-lab/bin/systemctl on every lab host (first on PATH).
 * It only knows the "docker" unit, keeps its state in /run/lab-systemd/docker.*, and does what
 * matters to a playbook: start/restart/reload validate /etc/docker/daemon.json as JSON and refuse
 * when its "bridge" device is missing; restarts and reloads are counted.
 */
export const SYSTEMCTL_STANDIN = String.raw`#!/bin/sh
# lab systemctl: the runbook lab's stand-in for systemctl (NOT systemd). Only the docker unit exists.
ME="lab systemctl"
STATE=/run/lab-systemd
CONF=/etc/docker/daemon.json
[ -d "$STATE" ] || mkdir -p "$STATE"

usage() {
  cat <<'END_OF_USAGE'
lab systemctl: the runbook lab's stand-in for systemctl (not systemd; no daemon really runs)
Usage: systemctl [--now] [-q] COMMAND [docker|docker.service]
Commands: start stop restart reload status is-active enable disable is-enabled daemon-reload show
Only the "docker" unit exists; any other unit fails with exit 1. State lives in /run/lab-systemd
(docker.state, docker.enabled, docker.restarts, docker.reloads, docker.starts, daemon-reloads).
start, restart and reload check that /etc/docker/daemon.json (if present) is valid JSON and that
its "bridge" device exists, as dockerd would when it starts.
END_OF_USAGE
}

NOW=0
QUIET=0
ACTION=
UNITS=
PROPS=
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --version) echo "lab systemctl 1 (runbook lab stand-in, not systemd)"; exit 0 ;;
    --now) NOW=1 ;;
    -q|--quiet) QUIET=1 ;;
    --no-pager|--no-block|--no-ask-password|--system|--full|-l|--plain|--no-legend) ;;
    -p|--property) shift; PROPS="$PROPS,$1" ;;
    --property=*) PROPS="$PROPS,${'$'}{1#*=}" ;;
    -*) echo "$ME: option $1 is not supported by the lab stand-in" >&2; exit 1 ;;
    *) if [ -z "$ACTION" ]; then ACTION=$1; else UNITS="$UNITS $1"; fi ;;
  esac
  shift
done

say() { [ "$QUIET" = 1 ] || echo "$@"; }
# Shell builtins only where a real systemctl costs nothing: a playbook's probe should not pay for the stand-in's forks.
readf() { v=$2; [ ! -r "$STATE/$1" ] || read -r v < "$STATE/$1" || v=$2; }
state() { readf docker.state inactive; S=$v; }
enabled() { readf docker.enabled disabled; E=$v; }
bump() {
  n=0; [ -r "$STATE/$1" ] && read -r n < "$STATE/$1"
  echo $((n + 1)) > "$STATE/$1"
}
job_failed() {
  echo failed > "$STATE/docker.state"
  echo "Job for docker.service failed because the control process exited with error code." >&2
  echo "(lab systemctl: $1)" >&2
  printf '%s\n' "$1" > "$STATE/docker.error"
  exit 1
}

# Prints the configured bridge name; fails with a message when daemon.json is not valid.
config_bridge() {
  [ -e "$CONF" ] || return 0
  if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 -I -S -c '
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    sys.exit("%s is not valid JSON: %s" % (sys.argv[1], e))
if not isinstance(d, dict):
    sys.exit("%s: top level is not a JSON object" % sys.argv[1])
b = d.get("bridge", "")
print(b if isinstance(b, str) else "")
' "$CONF" 2>&1
  elif command -v node >/dev/null 2>&1; then
    node -e '
const f = process.argv[1]; let d;
try { d = JSON.parse(require("fs").readFileSync(f, "utf8")); }
catch (e) { console.log(f + " is not valid JSON: " + e.message); process.exit(1); }
if (d === null || typeof d !== "object" || Array.isArray(d)) { console.log(f + ": top level is not a JSON object"); process.exit(1); }
console.log(typeof d.bridge === "string" ? d.bridge : "");
' "$CONF"
  else
    echo "$ME: no python3 or node here; $CONF not validated" >&2
    sed -n 's/.*"bridge"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$CONF" | head -n 1
  fi
}

check_config() {
  br=$(config_bridge) || job_failed "$br"
  if [ -n "$br" ] && [ "$br" != none ] && ! ip link show "$br" >/dev/null 2>&1; then
    job_failed "bridge \"$br\" from $CONF does not exist; dockerd would refuse to start"
  fi
}

do_start() {
  state; [ "$S" = active ] && return 0
  check_config
  echo active > "$STATE/docker.state"
  date '+%Y-%m-%d %H:%M:%S' > "$STATE/docker.since"
  [ ! -e "$STATE/docker.error" ] || rm -f "$STATE/docker.error"
  bump docker.starts
}

do_status() {
  state; s=$S; enabled
  sub=dead
  [ "$s" = active ] && sub=running
  [ "$s" = failed ] && sub=failed
  echo "* docker.service - Docker Application Container Engine (runbook lab stand-in: nothing runs)"
  echo "     Loaded: loaded (lab stand-in; $E)"
  echo "     Active: $s ($sub) since $(cat "$STATE/docker.since" 2>/dev/null || echo never)"
  echo "   Restarts: $(cat "$STATE/docker.restarts" 2>/dev/null || echo 0)"
  [ -e "$STATE/docker.error" ] && echo "      Error: $(cat "$STATE/docker.error")"
  [ "$s" = active ] || exit 3
}

do_show() {
  state; s=$S; enabled; readf docker.restarts 0
  sub=dead
  [ "$s" = active ] && sub=running
  [ "$s" = failed ] && sub=failed
  for kv in "Id=docker.service" "LoadState=loaded" "ActiveState=$s" "SubState=$sub" \
    "UnitFileState=$E" "NRestarts=$v"; do
    k=${'$'}{kv%%=*}
    case ",$PROPS," in ,, | *",$k,"*) echo "$kv" ;; esac
  done
}

case "$ACTION" in
  '') usage >&2; exit 1 ;;
  daemon-reload) bump daemon-reloads; exit 0 ;;
  start|stop|restart|reload|status|is-active|enable|disable|is-enabled|show) ;;
  *) echo "$ME: command \"$ACTION\" is not supported by the lab stand-in (try --help)" >&2; exit 1 ;;
esac
[ -n "$UNITS" ] || { echo "$ME: $ACTION needs a unit (only docker exists in the lab)" >&2; exit 1; }
for u in $UNITS; do
  case "$u" in
    docker|docker.service) ;;
    *) echo "$ME: unit $u not available in the lab" >&2; exit 1 ;;
  esac
done

case "$ACTION" in
  start) do_start ;;
  stop) echo inactive > "$STATE/docker.state" ;;
  restart)
    # do_start checks the configuration (and fails the unit) as dockerd would at its start
    echo inactive > "$STATE/docker.state"
    do_start
    bump docker.restarts ;;
  reload)
    state; [ "$S" = active ] || { echo "docker.service is not active, cannot reload." >&2; exit 1; }
    check_config
    bump docker.reloads ;;
  status) do_status ;;
  show) do_show ;;
  is-active)
    state; s=$S
    say "$s"
    [ "$s" = active ] || exit 3 ;;
  enable)
    echo enabled > "$STATE/docker.enabled"
    [ "$NOW" = 1 ] && do_start ;;
  disable)
    echo disabled > "$STATE/docker.enabled"
    [ "$NOW" = 1 ] && echo inactive > "$STATE/docker.state" ;;
  is-enabled)
    enabled; e=$E
    say "$e"
    [ "$e" = enabled ] || exit 1 ;;
esac
exit 0
`;
