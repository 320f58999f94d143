// Package loops (`package: name={{ item }}`): every item's install is the same command over other names, so a
// loop's items join into one command over all their names (one apt-get/dnf run, one dependency resolution).
import type { Step } from './types.js';

/** A plan whose steps are one command over a list of names. */
export interface NamesBatch {
  /** Everything but the names (manager, state, flags): only plans with the same key join. */
  key: string;
  names: string[];
  /** The plan's steps for any list of names (its own: `names`). */
  steps: (names: string[]) => Step[];
}

/** One command over every item's names (each once, in item order); undefined when the items differ in more than names. */
export function mergeNames(batches: NamesBatch[]): Step[] | undefined {
  if (!batches.length || batches.some((b) => b.key !== batches[0].key)) return undefined;
  return batches[0].steps([...new Set(batches.flatMap((b) => b.names))]);
}
