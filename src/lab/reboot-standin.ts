// Lab hosts are namespaces, not machines: `reboot` and `shutdown -r` get an honest stand-in that makes the host go
// away and come back as a reboot would look from SSH, so the reboot module can be tested end to end.
/**
 * /bin/sh script installed as /etc/runbook-lab/bin/reboot and …/shutdown on every lab host (first on PATH).
 * It says it is a stand-in, then in the background, after a second: bind-mounts a new random boot id over
 * /proc/sys/kernel/random/boot_id (in the host's own mount namespace only), kills every process of the host
 * but its sshd (sessions end), takes the host's eth0 down for DOWN seconds, brings it back and restarts sshd
 * (SIGHUP: sshd re-executes itself). /etc/runbook-lab/reboot.conf may set DOWN=<seconds> or DOWN=never
 * (the host stays away), and DELAY=<seconds>. It counts reboots in /run/lab-boot/count.
 */
export const REBOOT_STANDIN = String.raw`#!/bin/sh
# lab reboot: the runbook lab's stand-in for reboot and shutdown -r (NOT a real reboot; no kernel restarts).
ME="lab $(basename "$0")"
DOWN=3
DELAY=1
[ -r /etc/runbook-lab/reboot.conf ] && . /etc/runbook-lab/reboot.conf
REBOOT=0
case "$(basename "$0")" in
  reboot) REBOOT=1 ;;
  shutdown)
    for a in "$@"; do
      case "$a" in
        -r|--reboot) REBOOT=1 ;;
        -h|-H|-P|--halt|--poweroff) echo "$ME: the lab stand-in only simulates a reboot (shutdown -r); halt/poweroff is refused" >&2; exit 1 ;;
        -c) echo "$ME: nothing to cancel (lab stand-in)"; exit 0 ;;
      esac
    done ;;
esac
if [ "$REBOOT" != 1 ]; then echo "$ME: the lab stand-in only simulates a reboot: use shutdown -r or reboot" >&2; exit 1; fi
echo "$ME: runbook lab stand-in, not a real reboot: in "$DELAY"s this host's sessions end, it is off the network for "$DOWN"s, its sshd restarts and it gets a new boot id"
setsid sh -c '
  sleep "$1"
  mkdir -p /run/lab-boot
  n=$(( $(cat /run/lab-boot/count 2>/dev/null || echo 0) + 1 ))
  echo "$n" > /run/lab-boot/count
  cat /proc/sys/kernel/random/uuid > "/run/lab-boot/boot_id.$n"
  umount /proc/sys/kernel/random/boot_id 2>/dev/null
  mount --bind "/run/lab-boot/boot_id.$n" /proc/sys/kernel/random/boot_id
  ip link set eth0 down
  for p in /proc/[0-9]*; do
    pid=${'$'}{p#/proc/}
    [ "$pid" = 1 ] || [ "$pid" = $$ ] || kill -9 "$pid" 2>/dev/null
  done
  [ "$2" = never ] && exit 0
  sleep "$2"
  ip link set eth0 up
  kill -HUP 1
' lab-reboot "$DELAY" "$DOWN" </dev/null >/dev/null 2>&1 &
exit 0
`;
