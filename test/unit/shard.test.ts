// --shard i/n: every host in exactly one shard, independent of inventory order, and a strict parser.
import { describe, expect, it } from 'vitest';
import { inShard, parseShard, shardOf } from '../../src/executor/shard.js';

const fleet = Array.from({ length: 500 }, (_, i) => `web-${i + 1}.example.org`);

function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('shard split', () => {
  it.each([1, 2, 3, 7, 16])('puts every host in exactly one of %i shards', (n) => {
    const seen = new Map<string, number>();
    for (let i = 1; i <= n; i++) for (const h of inShard(fleet, { index: i, count: n })) seen.set(h, (seen.get(h) ?? 0) + 1);
    expect(seen.size).toBe(fleet.length);
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
  });

  it('does not depend on inventory order or on the other hosts', () => {
    const a = inShard(fleet, { index: 2, count: 4 });
    const b = inShard(shuffled(fleet, 42), { index: 2, count: 4 });
    expect(new Set(b)).toEqual(new Set(a));
    const few = inShard(fleet.slice(0, 10), { index: 2, count: 4 });
    expect(few.every((h) => a.includes(h))).toBe(true);
  });

  it('keeps the order it was given within a shard', () => {
    const s = inShard(fleet, { index: 1, count: 3 });
    expect(s).toEqual(fleet.filter((h) => s.includes(h)));
  });

  it('balances roughly and moves few hosts when a shard is added', () => {
    const sizes = [1, 2, 3, 4].map((i) => inShard(fleet, { index: i, count: 4 }).length);
    for (const n of sizes) expect(n).toBeGreaterThan(90);
    const moved = fleet.filter((h) => shardOf(h, 4) !== shardOf(h, 5)).length;
    expect(moved).toBeLessThan(fleet.length * 0.3);
  });

  it('is the whole list for 1/1 and without a shard', () => {
    expect(inShard(fleet, { index: 1, count: 1 })).toEqual(fleet);
    expect(inShard(fleet, undefined)).toEqual(fleet);
  });
});

describe('parseShard', () => {
  it('reads i/n, 1-based', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
  });
  it.each(['0/4', '5/4', '1/0', 'a/b', '2', '-1/3', '1/2/3'])('refuses %s', (s) => {
    expect(() => parseShard(s)).toThrow(/--shard must be i\/n/);
  });
});
