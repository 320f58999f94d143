// A scripted host for module tables: command regex → reply, path → file content; anything else fails the test.
import { createHash } from 'node:crypto';
import type { ExecResult, Probe, TaskContext } from '../../../src/modules/types.js';

export type Reply = string | Partial<ExecResult>;

export interface FakeProbe extends Probe {
  /** every command run, in order */
  commands: string[];
  /** every path read, in order */
  reads: string[];
}

export function fakeProbe(script: [RegExp, Reply][] = [], files: Record<string, string | Buffer | null> = {}): FakeProbe {
  const commands: string[] = [];
  const reads: string[] = [];
  return {
    commands,
    reads,
    async run(cmd) {
      commands.push(cmd);
      const hit = script.find(([re]) => re.test(cmd));
      if (!hit) throw new Error(`unscripted command: ${cmd}`);
      const r = hit[1];
      return typeof r === 'string' ? { code: 0, stdout: r, stderr: '' } : { code: 0, stdout: '', stderr: '', ...r };
    },
    async readFile(path) {
      reads.push(path);
      if (!Object.hasOwn(files, path)) throw new Error(`unscripted read: ${path}`);
      const f = files[path];
      return f === null ? null : Buffer.from(f);
    },
  };
}

export function fakeCtx(over: Partial<TaskContext> = {}): TaskContext {
  const nope = (what: string) => () => {
    throw new Error(`unexpected ${what}`);
  };
  return {
    host: 'web1',
    vars: {},
    check: false,
    diff: false,
    baseDir: '/play',
    at: { file: 'site.yml', line: 3 },
    renderFile: nope('renderFile'),
    readLocal: nope('readLocal'),
    test: nope('test'),
    ...over,
  };
}

export const at = { file: 'site.yml', line: 3 };

export const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/** One line of the stat probe's output. */
export const fileLine = (content: string, mode = '644', owner = 'root', group = 'root') =>
  `file ${mode} ${owner} ${group} 0 0 ${Buffer.byteLength(content)} ${sha(content)}`;
export const dirLine = (mode = '755', owner = 'root', group = 'root') => `dir ${mode} ${owner} ${group} 0 0 4096`;
/** stat probe reply for several paths */
export const stats = (...lines: string[]) => `${lines.join('\n')}\n`;
