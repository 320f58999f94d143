import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deepMerge, jsonMerge } from '../../../../src/modules/net/json-merge.js';
import { at, ctx, fakeProbe, type Reply, statDir, statFile, stepsOf } from './fake-probe.js';

const PATH = '/etc/docker/daemon.json';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const plan = async (args: object, file: string | null, stat?: string) => {
  const probe = fakeProbe(stat ? [[/^if \[ -e /, `${stat}\n${statDir}\n`] as [RegExp, Reply]] : [], { [PATH]: file });
  const p = await jsonMerge.plan(jsonMerge.parse({ path: PATH, ...args }, at), probe, ctx());
  return { p, probe };
};
const content = (p: { steps?: Array<{ kind: string }> }) => {
  const s = p.steps?.[0] as { kind: string; content?: Buffer } | undefined;
  return s?.content?.toString();
};

describe('json_merge', () => {
  it('already has the keys (other formatting) → changed:false; the stat beside the read hashes nothing', async () => {
    const { p, probe } = await plan({ set: { bridge: 'br0' } }, '{"bridge":"br0","debug":true}');
    expect(p).toEqual({ changed: false, note: `${PATH} has bridge` });
    expect(probe.ran).toHaveLength(1);
    expect(probe.ran[0]).toMatch(/^if \[ -e \/etc\/docker\/daemon\.json \]/);
    expect(probe.ran[0]).not.toContain('sha256sum');
  });

  it('the stat is sent before the read is answered: the probe batch carries both in one round trip', async () => {
    const order: string[] = [];
    let answer: (b: Buffer) => void = () => undefined;
    const probe = {
      run: async (_cmd: string) => {
        order.push('stat');
        return { code: 0, stdout: `${statFile('644', 'x')}\n${statDir}\n`, stderr: '' };
      },
      readFile: (path: string) => {
        order.push(`read ${path}`);
        return new Promise<Buffer>((r) => {
          answer = r;
        });
      },
    };
    const planning = jsonMerge.plan(jsonMerge.parse({ path: PATH, set: { bridge: 'br0' } }, at), probe, ctx());
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual(['stat', `read ${PATH}`]);
    answer(Buffer.from('{}'));
    expect((await planning).changed).toBe(true);
  });

  it('missing file → created with pretty JSON and a newline', async () => {
    const { p } = await plan({ set: { bridge: 'br0' } }, null, 'absent');
    expect(stepsOf(p)).toEqual([`upload ${PATH}`]);
    expect(content(p)).toBe('{\n  "bridge": "br0"\n}\n');
    expect(p.diff).toEqual([{ path: PATH, before: '', after: '{\n  "bridge": "br0"\n}\n' }]);
  });

  it('keeps keys the host has, merges nested objects, mode kept', async () => {
    const old = '{"log-opts": {"max-size": "10m"}, "bridge": "docker0"}\n';
    const { p } = await plan({ set: { bridge: 'br0', 'log-opts': { 'max-file': '3' } } }, old, statFile('600', sha(old)));
    expect(content(p)).toBe('{\n  "log-opts": {\n    "max-size": "10m",\n    "max-file": "3"\n  },\n  "bridge": "br0"\n}\n');
    expect(p.steps?.[0]).toMatchObject({ mode: '0600' });
    expect(p.diff?.[0].before).toBe(old);
  });

  it('indent and backup', async () => {
    const { p } = await plan({ set: { a: [1, 2] }, indent: 4, backup: true }, '{}', statFile());
    expect(content(p)).toBe('{\n    "a": [\n        1,\n        2\n    ]\n}\n');
    expect(p.steps?.[0]).toMatchObject({ backup: true });
  });

  it('same content, other mode → only chmod', async () => {
    const old = '{"bridge": "br0"}';
    const { p } = await plan({ set: { bridge: 'br0' }, mode: '0644' }, old, statFile('600', sha(old)));
    expect(stepsOf(p)).toEqual(['chmod 0644 /etc/docker/daemon.json']);
  });

  it('invalid JSON → failed, nothing written', async () => {
    const { p } = await plan({ set: { bridge: 'br0' } }, '{"bridge": "br0",}');
    expect(p.failed).toMatch(/^\/etc\/docker\/daemon.json holds invalid JSON \(.+\): fix or remove it; nothing was written$/);
    expect(p.steps).toBeUndefined();
  });

  it('a JSON array → failed', async () => {
    expect((await plan({ set: { a: 1 } }, '[1]')).p.failed).toMatch(/holds a JSON array, not an object/);
  });

  it('create: false and missing → failed', async () => {
    expect((await plan({ set: { a: 1 }, create: false }, null)).p.failed).toBe(`${PATH} does not exist (create: false)`);
  });

  it('missing directory → failed', async () => {
    const probe = fakeProbe([[/^if \[ -e /, 'absent\nabsent\n']], { [PATH]: null });
    const p = await jsonMerge.plan(jsonMerge.parse({ path: PATH, set: { a: 1 } }, at), probe, ctx());
    expect(p.failed).toBe(`directory /etc/docker does not exist (for ${PATH})`);
  });

  it('deepMerge replaces arrays and scalars, merges objects', () => {
    expect(deepMerge({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2] }, d: { e: 1 } })).toEqual({ a: { b: 1, c: [2] }, d: { e: 1 } });
  });

  it('parse', () => {
    expect(() => jsonMerge.parse({ path: PATH, set: 'bridge' }, at)).toThrow(/"set" must be a mapping/);
    expect(() => jsonMerge.parse({ path: PATH, sett: {} }, at)).toThrow(/unknown argument "sett"/);
    expect(() => jsonMerge.parse({ path: PATH, set: {}, indent: 'x' }, at)).toThrow(/"indent" must be an integer/);
  });
});
