// The files a host's plans made ahead will write: copied in the same exec that saves the network state, so the
// safety costs one round trip however many files the play writes (tasks planned at their turn add their own).
import type { Task } from '../playbook/types.js';
import type { Spec, TaskSpec } from '../executor/speculate.js';
import { writtenPaths } from './classify.js';

export async function plannedWrites(specs: Map<Task, TaskSpec> | undefined): Promise<string[]> {
  if (!specs) return [];
  const out = new Set<string>();
  for (const [t, spec] of specs) {
    const got: Spec | (Spec | undefined)[] = await spec;
    for (const s of Array.isArray(got) ? got : [got]) if (s && 'planned' in s && s.planned.plan.changed) for (const p of writtenPaths(t.module, t.args, s.planned.plan)) out.add(p);
  }
  return [...out];
}
