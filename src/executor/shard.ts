// `--shard i/n`: n runbook processes (a CI matrix, Kubernetes Indexed Jobs) split one fleet without talking to each other.
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';

/** 1-based index of this process and the number of processes. */
export interface Shard {
  index: number;
  count: number;
}

// "2/4" → {index: 2, count: 4}; 1-based like Playwright's --shard (Kubernetes: JOB_COMPLETION_INDEX+1).
export function parseShard(spec: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard must be i/n with 1 ≤ i ≤ n, got "${spec}"`, {
      hint: 'e.g. --shard 1/4 … --shard 4/4; with Kubernetes Indexed Jobs: --shard $((JOB_COMPLETION_INDEX+1))/N',
    });
  }
  return { index, count };
}

function score(host: string, shard: number): bigint {
  return createHash('sha256').update(`${shard}\0${host}`).digest().readBigUInt64BE(0);
}

/**
 * Rendezvous hashing on the host name alone: the split does not depend on inventory order or on
 * the other hosts, and going from n to n+1 shards moves only about 1/(n+1) of the hosts.
 */
export function shardOf(host: string, count: number): number {
  let best = 1;
  let bestScore = -1n;
  for (let k = 1; k <= count; k++) {
    const s = score(host, k);
    if (s > bestScore) {
      bestScore = s;
      best = k;
    }
  }
  return best;
}

// The hosts this shard runs, in the order given.
export function inShard<T extends string>(hosts: T[], shard: Shard | undefined): T[] {
  if (!shard || shard.count === 1) return hosts;
  return hosts.filter((h) => shardOf(h, shard.count) === shard.index);
}
