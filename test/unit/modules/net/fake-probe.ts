// A scripted host: table tests feed replies in and read the plan (and the commands probed) out.
import type { Location } from '../../../../src/errors.js';
import type { ExecResult, Probe, TaskContext } from '../../../../src/modules/types.js';

export type Reply = Partial<ExecResult> | string;

export interface FakeProbe extends Probe {
  /** Every command run, in order. */
  readonly ran: string[];
  readonly read: string[];
}

export function fakeProbe(script: Array<[RegExp, Reply]>, files: Record<string, string | null> = {}): FakeProbe {
  const ran: string[] = [];
  const read: string[] = [];
  return {
    ran,
    read,
    async run(cmd) {
      ran.push(cmd);
      const hit = script.find(([re]) => re.test(cmd));
      if (!hit) throw new Error(`unscripted command: ${cmd}`);
      const r = hit[1];
      return typeof r === 'string' ? { code: 0, stdout: r, stderr: '' } : { code: 0, stdout: '', stderr: '', ...r };
    },
    async readFile(path) {
      read.push(path);
      if (!(path in files)) throw new Error(`unscripted file: ${path}`);
      const c = files[path];
      return c === null ? null : Buffer.from(c);
    },
  };
}

export const at: Location = { file: 'play.yaml', line: 3, col: 5 };

export function ctx(vars: Record<string, unknown> = {}): TaskContext {
  return {
    host: 'node1',
    vars,
    check: false,
    diff: true,
    baseDir: '/tmp',
    at,
    renderFile: () => {
      throw new Error('not used');
    },
    readLocal: () => {
      throw new Error('not used');
    },
    test: () => true,
  };
}

/** The exec commands (and upload destinations) of a plan, in order. */
export function stepsOf(plan: { steps?: Array<{ kind: string; cmd?: string; dest?: string }> }): string[] {
  return (plan.steps ?? []).map((s) => (s.kind === 'exec' ? (s.cmd ?? '') : `upload ${s.dest}`));
}

/** Stdout of a sectioned probe: `@@name` then its text, in the given order. */
export function sectioned(parts: Record<string, string>): string {
  return Object.entries(parts)
    .map(([k, v]) => `@@${k}\n${v}${v.endsWith('\n') || v === '' ? '' : '\n'}`)
    .join('');
}

/** A `statPaths` reply: one line per path, as src/modules/fs.ts prints them. */
/** The package probe's answer on apt for "a yes\nb no": grep's stanza lines for the installed names, none for the others. */
export const packageAptReply = (installed: string): string =>
  sectioned({
    mgr: 'apt',
    installed: installed
      .trim()
      .split('\n')
      .filter((l) => l.endsWith(' yes'))
      .map((l) => `Package: ${l.split(' ')[0]}\nStatus: install ok installed\nPriority: optional\nSection: net\n`)
      .join('--\n'),
  });

export const statFile = (mode = '644', sha = '0'.repeat(64)) => `file ${mode} root root 0 0 10 ${sha}`;
export const statDir = 'dir 755 root root 0 0 4096';
