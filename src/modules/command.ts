// Runs a program with arguments and no shell: what you write is exactly what runs.
import { posix } from 'node:path';
import { quote } from '../remote/quote.js';
import { type Args, argsOf, bool, exactlyOne, fail, isTemplated, list, optStr } from './args.js';
import { shlexSplit } from './shlex.js';
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

// command and shell accept the same guard keys, so one list keeps them in step. `warn` (dropped by Ansible 2.14)
// only ever silenced warnings, runbook prints none; `strip_empty_ends` is what runbook does (false is refused).
export const GUARD_KEYS = ['chdir', 'creates', 'removes', 'stdin', 'stdin_add_newline', 'warn', 'strip_empty_ends'] as const;

// Ansible feeds stdin with a trailing newline unless stdin_add_newline is false.
export function guardsOf(a: Args): Guards {
  bool(a, 'warn', true);
  if (!bool(a, 'strip_empty_ends', true)) fail(a, 'strip_empty_ends: false is not supported', 'remove it: runbook strips the trailing newlines of stdout and stderr');
  const g: Guards = { chdir: optStr(a, 'chdir'), creates: optStr(a, 'creates'), removes: optStr(a, 'removes') };
  const stdin = optStr(a, 'stdin');
  const newline = bool(a, 'stdin_add_newline', true);
  if (stdin !== undefined) g.stdin = newline && !stdin.endsWith('\n') ? `${stdin}\n` : stdin;
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
export const command = defineModule<CommandArgs>({
  name: 'command',
  freeForm: true,
  parse(raw, at) {
    // `executable` is accepted and, as Ansible has since 2.4, not used: command runs no shell.
    const a = argsOf(raw, at, 'command', ['_raw', 'cmd', 'argv', 'executable', ...GUARD_KEYS]);
    const which = exactlyOne(a, ['_raw', 'cmd', 'argv']);
    let argv: string[];
    if (which === 'argv') argv = list(a, 'argv') ?? [];
    else {
      const s = optStr(a, which) ?? '';
      try {
        argv = isTemplated(s) ? [s] : shlexSplit(s);
      } catch (e) {
        fail(a, `cannot split the command: ${(e as Error).message}`, 'balance the quotes or escape them with \\');
      }
    }
    if (!argv.length || argv[0] === '') fail(a, 'the command is empty');
    return { argv, ...guardsOf(a) };
  },
  plan: (p, probe) => planRun(commandLine(p.argv), p, probe),
});
