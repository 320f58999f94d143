// The commands network safety sends to a host, as plain strings (table-tested in test/unit/safety-commands.test.ts).
import { quote } from '../../remote/quote.js';
import { GUARD_ROOT, hostLib } from './host-lib.js';

/** The run's directory on a host: one per run and host, so two runs never share state. */
export function guardDir(runId: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(runId)) throw new Error(`internal: bad guard run id ${runId}`);
  return `${GUARD_ROOT}/${runId}`;
}

const q = quote;
/** Printed by a command that got to its end (its output is not mistaken for a half-run one). */
export const DONE = 'RB_GUARD_DONE';

/** Saves the host's state into a new directory (fails if it exists: a second save would overwrite "before"). */
export function saveCmd(dir: string, keepSeconds: number): string {
  return [
    'umask 077',
    // one mkdir for the root (on a host's first run), the run's directory and its copies'; the run's directory must
    // be new (the run id is the run's own: one save per host and run)
    `[ ! -e ${q(dir)} ] && mkdir -p ${q(`${dir}/f`)} || exit 3`,
    // the shell's own printf writes the library: no process
    `printf %s ${q(hostLib(dir, keepSeconds))} > ${q(`${dir}/lib.sh`)} || exit 3`,
    `. ${q(`${dir}/lib.sh`)}`,
    'command -v ip >/dev/null || { echo "iproute2 (ip) is missing" >&2; exit 4; }',
    'rb_snap > "$D/snap" && : > "$D/files" || exit 5',
    'if rb_ovs; then ovsdb-client backup unix:/run/openvswitch/db.sock Open_vSwitch > "$D/ovs.db" || exit 6; fi',
  ].join('\n');
}

/** Copies of the files a task is about to write (taken once per path: the first copy is the state before). */
export function keepCmd(dir: string, paths: string[]): string {
  return [`. ${q(`${dir}/lib.sh`)}`, ...paths.map((p) => `rb_keep ${q(p)} || exit 7`)].join('\n');
}

/**
 * Starts the watchdog in its own session (setsid: not a child of this SSH channel); it writes its deadline,
 * `seconds` from now (no `date` here: the watchdog reads the clock anyway).
 */
export function armCmd(dir: string, seconds: number): string {
  return [
    `: > ${q(`${dir}/armed`)}`,
    `setsid -f sh ${q(`${dir}/lib.sh`)} watch ${Math.ceil(seconds)} </dev/null >/dev/null 2>&1 || exit 8`,
  ].join('\n');
}

/** Moves the deadline to `seconds` from now (the run is still working on the host). */
export function bumpCmd(dir: string, seconds: number): string {
  return `echo $(( $(date +%s) + ${Math.ceil(seconds)} )) > ${q(`${dir}/deadline`)}`;
}

/** Printed when the watchdog has fired already: the host is back to its saved state, the run must not go on there. */
export const FIRED = 'RB_GUARD_FIRED';

/** What a task says when its host has put itself back: nothing more of the play may land there. */
export const FIRED_MSG =
  'network safety: the host already put itself back as it was before the play (its deadline passed); nothing more is applied to it';

/** Before each command of a task on an armed host: run only while the host is still armed (see guard.beforeApply). */
export function gateCmd(dir: string): string {
  return `[ -e ${q(`${dir}/armed`)} ] || { echo ${q(FIRED_MSG)} >&2; exit 9; }; `;
}

/** Stops the exec when the host restored itself (its deadline passed while runbook worked elsewhere). */
export function stillArmedCmd(dir: string): string {
  return `[ -e ${q(`${dir}/armed`)} ] || { echo ${FIRED}; exit 9; }`;
}

/** One exec for everything a task needs before it applies, ending with DONE. */
export function joinCmds(parts: string[]): string {
  return [...parts, `echo ${DONE}`].join('\n');
}

/**
 * Disarms (over a new connection): prints `confirmed` when this side won the rename, `firing` when the watchdog
 * is already restoring, then removes the watchdog and the directory.
 */
export function disarmCmd(dir: string): string {
  const d = q(dir);
  return [
    `if mv ${d}/armed ${d}/disarmed 2>/dev/null; then`,
    `  [ -s ${d}/pid ] && read -r p < ${d}/pid && kill -TERM -$p 2>/dev/null`,
    `  rm -rf ${d}; rmdir ${GUARD_ROOT} 2>/dev/null; echo confirmed`,
    `elif [ -d ${d} ]; then echo firing; else echo gone; fi`,
  ].join('\n');
}

/**
 * Restores now: the watchdog does it (its own session, so a restore that drops this connection still finishes);
 * waits up to `waitSeconds` for it and prints `restored` and what still differs.
 */
export function fireCmd(dir: string, waitSeconds: number): string {
  const d = q(dir);
  return [
    `[ -d ${d} ] || { echo gone; exit 0; }`,
    `echo 0 > ${d}/deadline`,
    // a watchdog asleep until its deadline wakes now (it ignores USR1 once it restores)
    `[ -e ${d}/armed ] && [ -s ${d}/pid ] && read -r p < ${d}/pid && kill -USR1 -$p 2>/dev/null`,
    `if [ ! -e ${d}/armed ] && [ ! -e ${d}/firing ] && [ ! -e ${d}/restored ]; then touch ${d}/armed; setsid -f sh ${d}/lib.sh watch </dev/null >/dev/null 2>&1; fi`,
    resultLoop(d, waitSeconds),
  ].join('\n');
}

/** Reads the watchdog's outcome: `restored` + the differences left, `armed` (not yet fired) or `gone`. */
export function resultCmd(dir: string, waitSeconds: number): string {
  return [`[ -d ${q(dir)} ] || { echo gone; exit 0; }`, resultLoop(q(dir), waitSeconds)].join('\n');
}

function resultLoop(d: string, waitSeconds: number): string {
  return [
    `i=0; while [ ! -e ${d}/restored ] && [ $i -lt ${Math.ceil(waitSeconds * 2)} ]; do sleep 0.5; i=$((i + 1)); done`,
    `if [ -e ${d}/restored ]; then echo restored; cat ${d}/verify; else echo armed; fi`,
  ].join('\n');
}

/** Removes the watchdog (its whole process group) and the directory: nothing is left on the host. */
export function cleanupCmd(dir: string): string {
  const d = q(dir);
  return `[ -s ${d}/pid ] && read -r p < ${d}/pid && kill -TERM -$p 2>/dev/null; rm -rf ${d}; rmdir ${GUARD_ROOT} 2>/dev/null; echo ${DONE}`;
}
