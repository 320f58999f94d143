import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { aptKey } from '../../../../src/modules/pkg/apt-key.js';
import { armor, certs, dearmor, idMatches } from '../../../../src/modules/pkg/pgp.js';
import { rpmKey } from '../../../../src/modules/pkg/rpm-key.js';
import type { Plan } from '../../../../src/modules/types.js';
import { fakeProbe } from '../fake-probe.js';
import { at, ctx, sectioned, stepsOf } from '../net/fake-probe.js';

// Two ed25519 keys made with gpg for these tests (fingerprints as gpg prints them).
const KEY = readFileSync(resolve(import.meta.dirname, '../../../fixtures/pkg/test-key.asc'), 'utf8');
const OTHER = readFileSync(resolve(import.meta.dirname, '../../../fixtures/pkg/other-key.asc'), 'utf8');
const FPR = 'BEA85B5FB27015934603A4A7BDFB2F7DD745D17B';
const OTHER_FPR = 'AEC0519A41ED420DDB26A724E9295244A3DC6AE8';
const bin = (s: string) => dearmor(Buffer.from(s));

const uploads = (p: Plan) => (p.steps ?? []).flatMap((s) => (s.kind === 'upload' ? [{ dest: s.dest, content: s.content }] : []));

describe('pgp', () => {
  test('fingerprints of armored and binary keys, as gpg prints them', () => {
    expect(certs(Buffer.from(KEY))?.map((c) => c.fpr)).toEqual([FPR]);
    expect(certs(dearmor(Buffer.from(KEY)))?.map((c) => c.fpr)).toEqual([FPR]);
    expect(certs(Buffer.from(KEY + OTHER))?.map((c) => c.fpr)).toEqual([FPR, OTHER_FPR]);
    expect(certs(Buffer.from('not a key'))).toBeUndefined();
  });

  test('armor round trip, with the CRC-24 gpg writes', () => {
    const b = dearmor(Buffer.from(KEY));
    expect(dearmor(Buffer.from(armor(b)))).toEqual(b);
    const crc = KEY.split('\n').find((l) => l.startsWith('='));
    expect(armor(b)).toContain(`\n${crc}\n`);
  });

  test('ids', () => {
    expect(idMatches('0xD745D17B', FPR)).toBe(true);
    expect(idMatches('bdfb2f7dd745d17b', FPR)).toBe(true);
    expect(idMatches(FPR, FPR)).toBe(true);
    expect(idMatches('D745', FPR)).toBe(false);
  });
});

describe('apt_key', () => {
  const list = (paths: string[]) => [/^for f in \/etc\/apt\/trusted.gpg/, `${paths.join('\n')}\n`] as [RegExp, string];

  test('data, no keyring: /etc/apt/trusted.gpg.d/<long id>.asc', async () => {
    const probe = fakeProbe([list([])]);
    const p = await aptKey.plan(aptKey.parse({ data: KEY }, at), probe, ctx());
    expect(uploads(p).map((u) => u.dest)).toEqual(['/etc/apt/trusted.gpg.d/BDFB2F7DD745D17B.asc']);
    expect(p.result).toMatchObject({ fp: FPR, key_id: 'BDFB2F7DD745D17B', short_id: 'D745D17B' });
  });

  test('already trusted in any file: no change', async () => {
    const probe = fakeProbe([list(['/etc/apt/trusted.gpg.d/x.gpg'])], { '/etc/apt/trusted.gpg.d/x.gpg': bin(KEY + OTHER) });
    const p = await aptKey.plan(aptKey.parse({ id: '0xD745D17B', data: KEY }, at), probe, ctx());
    expect(p.changed).toBe(false);
  });

  test('file on the host into a binary keyring that holds another key: both kept', async () => {
    const probe = fakeProbe([], { '/tmp/k.asc': KEY, '/usr/share/keyrings/mine.gpg': bin(OTHER) });
    const p = await aptKey.plan(aptKey.parse({ file: '/tmp/k.asc', keyring: '/usr/share/keyrings/mine.gpg' }, at), probe, ctx());
    const [u] = uploads(p);
    expect(u.dest).toBe('/usr/share/keyrings/mine.gpg');
    expect(certs(u.content)?.map((c) => c.fpr)).toEqual([OTHER_FPR, FPR]);
    expect(u.content.includes('BEGIN PGP')).toBe(false);
  });

  test('absent: the key leaves its file; a file left empty is removed', async () => {
    const probe = fakeProbe([list(['/etc/apt/trusted.gpg.d/a.asc', '/etc/apt/trusted.gpg.d/b.gpg'])], {
      '/etc/apt/trusted.gpg.d/a.asc': KEY,
      '/etc/apt/trusted.gpg.d/b.gpg': bin(KEY + OTHER),
    });
    const p = await aptKey.plan(aptKey.parse({ id: 'D745D17B', state: 'absent' }, at), probe, ctx());
    expect(stepsOf(p)).toEqual(['rm -f -- /etc/apt/trusted.gpg.d/a.asc', 'upload /etc/apt/trusted.gpg.d/b.gpg']);
    expect(certs(uploads(p)[0].content)?.map((c) => c.fpr)).toEqual([OTHER_FPR]);
  });

  test('an id that is not the key given fails', async () => {
    const probe = fakeProbe([list([])]);
    const p = await aptKey.plan(aptKey.parse({ id: '0x12345678', data: KEY }, at), probe, ctx());
    expect(p.failed).toMatch(/does not have id 0x12345678/);
  });

  test.each([
    [{ url: 'https://x/key.gpg' }, /downloading keys is not supported/],
    [{ id: 'ABCDEF12', keyserver: 'keyserver.ubuntu.com' }, /key servers need the network/],
    [{ state: 'absent' }, /needs id/],
    [{ id: 'ABCDEF12' }, /needs data or file/],
    [{ id: 'xyz', data: 'k' }, /not a hexadecimal key id/],
  ])('refused: %j', (args, msg) => {
    expect(() => aptKey.parse(args, at)).toThrow(msg);
  });
});

describe('rpm_key', () => {
  const keys = (...ids: string[]) => [/rpm -q gpg-pubkey/, sectioned({ keys: ids.join('\n') })] as [RegExp, string];

  test('imported when rpm lacks it', async () => {
    const probe = fakeProbe([keys('aabbccdd')], { '/etc/pki/rpm-gpg/K': KEY });
    const p = await rpmKey.plan(rpmKey.parse({ key: '/etc/pki/rpm-gpg/K' }, at), probe, ctx());
    expect(stepsOf(p)).toEqual(['rpm --import /etc/pki/rpm-gpg/K']);
  });

  test('present already; absent by id erases', async () => {
    const probe = fakeProbe([keys('d745d17b')], { '/k': KEY });
    expect((await rpmKey.plan(rpmKey.parse({ key: 'file:///k' }, at), probe, ctx())).changed).toBe(false);
    const p = await rpmKey.plan(rpmKey.parse({ key: '0xD745D17B', state: 'absent' }, at), probe, ctx());
    expect(stepsOf(p)).toEqual(['rpm -e --allmatches gpg-pubkey-d745d17b']);
  });

  test('fingerprint checked', async () => {
    const probe = fakeProbe([keys()], { '/k': KEY });
    const p = await rpmKey.plan(rpmKey.parse({ key: '/k', fingerprint: OTHER_FPR }, at), probe, ctx());
    expect(p.failed).toMatch(/does not match the key fingerprint 'BEA85B5F/);
  });

  test('refused', () => {
    expect(() => rpmKey.parse({ key: 'https://x/RPM-GPG-KEY' }, at)).toThrow(/URL/);
    expect(() => rpmKey.parse({ key: 'DEADBEEF' }, at)).toThrow(/needs the key file/);
  });
});
