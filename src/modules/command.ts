// Runs a program with arguments and no shell: what you write is exactly what runs.
import { posix } from 'node:path';
import { quote } from '../remote/quote.js';
import { type Args, fail, isTemplated } from './args.js';
import { shlexSplit } from './shlex.js';
import type { ArgSpecs } from './spec.js';
import { defineModule, type Plan, type Probe, type Step } from './types.js';

/** Conditions shared by command and shell that can skip the run. */
export interface Guards {
  chdir?: string;
  creates?: string;
  removes?: string;
  /** shell only: a read-only command; exit 0 skips the run */
  unless?: string;
  /** how `unless` is run (shell's executable) */
  executable?: string;
  stdin?: string;
}

// command and shell accept the same guard keys, so one declaration keeps them in step. `warn` (dropped by Ansible
// 2.14) only ever silenced warnings, runbook prints none; `strip_empty_ends` is what runbook does (false is refused).
export const GUARD_ARGS = {
  chdir: { type: 'path', description: 'directory to run in' },
  creates: { type: 'path', description: 'skip the run when this path exists (relative to chdir)' },
  removes: { type: 'path', description: 'run only when this path exists (relative to chdir)' },
  stdin: { description: 'text fed to the command on stdin' },
  stdin_add_newline: { type: 'bool', default: true, description: 'end stdin with a newline' },
  warn: { type: 'bool', default: true, description: 'accepted and ignored (Ansible dropped it in 2.14)' },
  strip_empty_ends: { type: 'bool', default: true, description: 'trailing newlines of stdout/stderr are stripped; false is refused' },
} as const satisfies ArgSpecs;

/** The guard part of command's and shell's parsed values. */
export interface GuardValues {
  chdir?: string;
  creates?: string;
  removes?: string;
  stdin?: string;
  stdin_add_newline: boolean;
  strip_empty_ends: boolean;
}

// Ansible feeds stdin with a trailing newline unless stdin_add_newline is false.
export function guardsOf(v: GuardValues, a: Args): Guards {
  if (!v.strip_empty_ends)
    fail(a, 'strip_empty_ends: false is not supported', 'remove it: runbook strips the trailing newlines of stdout and stderr');
  const g: Guards = { chdir: v.chdir, creates: v.creates, removes: v.removes };
  if (v.stdin !== undefined) g.stdin = v.stdin_add_newline && !v.stdin.endsWith('\n') ? `${v.stdin}\n` : v.stdin;
  return g;
}

const inDir = (g: Guards, p: string) => (g.chdir && !p.startsWith('/') ? posix.join(g.chdir, p) : p);
const cdPrefix = (g: Guards) => (g.chdir ? `cd ${quote(g.chdir)} && ` : '');

// One probe command answers every guard: each check prints "name=<exit status>".
export async function checkGuards(g: Guards, probe: Probe): Promise<string | undefined> {
  const checks: string[] = [];
  if (g.creates) checks.push(`test -e ${quote(inDir(g, g.creates))}; echo "creates=$?"`);
  if (g.removes) checks.push(`test -e ${quote(inDir(g, g.removes))}; echo "removes=$?"`);
  if (g.unless) {
    const run = `${cdPrefix(g)}${quote(g.executable ?? '/bin/sh')} -c ${quote(g.unless)}`;
    checks.push(`(${run}) </dev/null >/dev/null 2>&1; echo "unless=$?"`);
  }
  if (!checks.length) return undefined;
  const out = (await probe.run(checks.join('; '))).stdout;
  const rc = (k: string) => out.match(new RegExp(`^${k}=(\\d+)$`, 'm'))?.[1];
  if (g.creates && rc('creates') === '0') return `creates ${g.creates} exists`;
  if (g.removes && rc('removes') !== '0') return `removes ${g.removes} does not exist`;
  if (g.unless && rc('unless') === '0') return `unless command succeeded: ${g.unless}`;
  return undefined;
}

// Both modules end the same way: skip when a guard says so, else one captured exec step.
export async function planRun(line: string, g: Guards, probe: Probe): Promise<Plan> {
  const skipped = await checkGuards(g, probe);
  if (skipped) return { changed: false, skipped };
  const step: Step = { kind: 'exec', cmd: `${cdPrefix(g)}${line}`, capture: true };
  if (g.stdin !== undefined) step.stdin = g.stdin;
  return { changed: true, steps: [step], result: { cmd: line } };
}

/** Normalised command args: the words to run, never a shell line. */
export interface CommandArgs extends Guards {
  argv: string[];
}

// A first word holding "=" is quoted by force so the shell cannot take it for an assignment.
export function commandLine(argv: string[]): string {
  return argv.map((w, i) => (i === 0 && w.includes('=') && quote(w) === w ? `'${w}'` : quote(w))).join(' ');
}

/** Ansible's command: free form split by shlex, each word re-quoted; stdout/rc come from the captured step. */
export const command = defineModule({
  name: 'command',
  doc: 'Runs a program with arguments and no shell: what you write is exactly what runs.',
  example: 'command: hostname',
  freeForm: true,
  args: {
    _raw: { description: 'the command line, split like a shell would (no pipes, redirections or variables)' },
    cmd: { description: 'the command line, as an argument instead of free form' },
    argv: { type: 'list', elements: 'str', description: 'the program and its arguments, one item each (no splitting)' },
    // Accepted and, as Ansible has since 2.4, not used: command runs no shell.
    executable: { type: 'path', description: 'accepted and ignored: command runs no shell' },
    ...GUARD_ARGS,
  },
  mutually_exclusive: [['_raw', 'cmd', 'argv']],
  required_one_of: [['_raw', 'cmd', 'argv']],
  build(v, a): CommandArgs {
    let argv: string[];
    if (v.argv !== undefined) argv = v.argv;
    else {
      const s = v._raw ?? v.cmd ?? '';
      try {
        argv = isTemplated(s) ? [s] : shlexSplit(s);
      } catch (e) {
        fail(a, `cannot split the command: ${(e as Error).message}`, 'balance the quotes or escape them with \\');
      }
    }
    if (!argv.length || argv[0] === '') fail(a, 'the command is empty');
    return { argv, ...guardsOf(v, a) };
  },
  plan: (p, probe) => planRun(commandLine(p.argv), p, probe),
});
