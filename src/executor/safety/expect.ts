// The files a host's play will write, known before the first change: copied in the same exec that saves the
// network state, so the safety costs one round trip however many files the play writes (a file no one foresaw is
// copied by its own task, one exec more).
import type { Task } from '../../playbook/types.js';
import type { Spec, TaskSpec } from '../speculate.js';
import { writtenPaths } from './classify.js';

/** Modules that write the file named by `dest` or `path` (lineinfile & co. rewrite it through an upload). */
const WRITERS: Record<string, string> = {
  copy: 'dest',
  template: 'dest',
  json_merge: 'path',
  lineinfile: 'path',
  blockinfile: 'path',
  ini_file: 'path',
  replace: 'path',
};

/** Literal absolute paths of the writing tasks, as written (a templated path is left to its task). */
export function staticWrites(tasks: Task[]): string[] {
  const out: string[] = [];
  for (const t of tasks) {
    const key = WRITERS[t.module.replace(/^.*\./, '')];
    const v = key && typeof t.args === 'object' && t.args ? (t.args as Record<string, unknown>)[key] : undefined;
    if (typeof v === 'string' && v.startsWith('/') && !v.includes('{{') && !v.endsWith('/')) out.push(v);
  }
  return out;
}

/** The plans made ahead's uploads, and the literal paths of every writing task of the play. */
export async function plannedWrites(specs: Map<Task, TaskSpec> | undefined, tasks: Task[] = []): Promise<string[]> {
  const out = new Set<string>(staticWrites(tasks));
  for (const [t, spec] of specs ?? []) {
    const got: Spec | (Spec | undefined)[] = await spec;
    for (const s of Array.isArray(got) ? got : [got])
      if (s && 'planned' in s && s.planned.plan.changed) for (const p of writtenPaths(t.module, t.args, s.planned.plan)) out.add(p);
  }
  return [...out];
}
