import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ipBatch } from '../../../../src/modules/net/ip-batch.js';

describe('ipBatch: ip commands in one process, from a here-document in the command text', () => {
  it('plain words: one ip -batch whose lines are the commands', () => {
    expect(
      ipBatch([
        ['link', 'add', 'name', 'br0', 'type', 'bridge'],
        ['addr', 'add', '10.0.0.1/24', 'dev', 'br0'],
      ]),
    ).toBe("ip -batch - <<'RB_IP_BATCH'\nlink add name br0 type bridge\naddr add 10.0.0.1/24 dev br0\nRB_IP_BATCH\n");
  });

  it.each([['a b'], ['x"y'], ["it's"], ['#c'], ['a\\b'], ['$HOME'], ['']])('a word ip would read otherwise (%j): none', (w) => {
    expect(ipBatch([['link', 'set', 'dev', w, 'up']])).toBeUndefined();
  });

  it('no commands: none', () => {
    expect(ipBatch([])).toBeUndefined();
  });

  it('a shell feeds ip exactly the lines, nothing expanded (sh with a stand-in ip that prints its input)', () => {
    const text = ipBatch([
      ['route', 'replace', '192.168.2.0/24', 'via', '10.0.0.2'],
      ['link', 'set', 'dev', 'br0', 'up'],
    ])!;
    const r = spawnSync('sh', ['-c', `ip() { echo "args: $*"; cat; }\n${text}echo after`], { encoding: 'utf8' });
    expect(r.stdout).toBe('args: -batch -\nroute replace 192.168.2.0/24 via 10.0.0.2\nlink set dev br0 up\nafter\n');
  });
});
