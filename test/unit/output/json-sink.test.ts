// -o json: every event one line, in order, written together once per turn of the event loop; the summary at once.
import { describe, expect, it } from 'vitest';
import { jsonSink } from '../../../src/output/json.js';

function stream() {
  const writes: string[] = [];
  return { writes, s: { write: (t: string) => void writes.push(t) } as unknown as NodeJS.WritableStream };
}

describe('json sink', () => {
  it('events of one turn go out in one write, in order', async () => {
    const { writes, s } = stream();
    const sink = jsonSink(s);
    for (let i = 0; i < 50; i++) sink.emit({ type: 'host:unreachable', host: `h${i}`, msg: 'x' });
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(1);
    expect(
      writes[0]!
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).host),
    ).toEqual(Array.from({ length: 50 }, (_, i) => `h${i}`));
  });

  it('the summary and everything before it are written at once; close writes what is left', async () => {
    const { writes, s } = stream();
    const sink = jsonSink(s);
    sink.emit({ type: 'host:unreachable', host: 'a', msg: 'x' });
    sink.emit({ type: 'run:end', recap: {}, elapsedMs: 5, exitCode: 0, interrupted: false } as never);
    expect(
      writes
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type),
    ).toEqual(['host:unreachable', 'summary']);
    sink.emit({ type: 'host:unreachable', host: 'b', msg: 'y' });
    await sink.close();
    expect(writes.join('').trim().split('\n')).toHaveLength(3);
  });
});
