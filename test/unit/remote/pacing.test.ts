import { describe, expect, it } from 'vitest';
import { PER_SSHD_HANDSHAKES, Semaphore, withSshdSlot } from '../../../src/remote/pacing.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('Semaphore', () => {
  it('a lowered limit admits nobody new until holders drop below it; a raised one admits waiters at once', async () => {
    const s = new Semaphore(3);
    let inside = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const job = () =>
      s.use(async () => {
        inside++;
        peak = Math.max(peak, inside);
        await new Promise<void>((r) => gates.push(r));
        inside--;
      });
    const all = Array.from({ length: 6 }, job);
    await tick();
    expect(inside).toBe(3);
    s.setLimit(1);
    for (const g of gates.splice(0)) g();
    await tick();
    expect(inside).toBe(1);
    s.setLimit(4);
    await tick();
    expect(inside).toBe(3);
    while (gates.length) {
      for (const g of gates.splice(0)) g();
      await tick();
    }
    await Promise.all(all);
    expect(peak).toBe(3);
  });
});

describe('per-sshd window', () => {
  it('shrinks when sshd drops attempts, so the queued ones are let in fewer at a time', async () => {
    let concurrent = 0;
    let drops = 0;
    let peakAfterDrops = 0;
    const attempt = (drop: boolean) =>
      withSshdSlot(
        'h',
        22,
        async () => {
          concurrent++;
          if (drops === 4) peakAfterDrops = Math.max(peakAfterDrops, concurrent);
          await tick();
          concurrent--;
          if (drop) {
            drops++;
            throw new Error('dropped');
          }
          return 1;
        },
        (e) => (e as Error).message === 'dropped',
      ).catch(() => 0);
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => attempt(true)),
      ...Array.from({ length: 16 }, () => attempt(false)),
    ]);
    expect(results.filter((r) => r === 1)).toHaveLength(16);
    expect(peakAfterDrops).toBeGreaterThan(0);
    expect(peakAfterDrops).toBeLessThan(PER_SSHD_HANDSHAKES);
  });
});
