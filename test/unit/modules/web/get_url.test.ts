import { describe, expect, it } from 'vitest';
import { get_url } from '../../../../src/modules/web/get_url.js';
import { NO_CLIENT } from '../../../../src/modules/web/http.js';
import { secretValues } from '../../../../src/vault/secrets.js';
import { at, fakeCtx, fakeProbe, fileLine, type Reply, sha } from '../fake-probe.js';
import { report } from './report.js';

const URL = 'http://10.0.0.1/app.tgz';
const DEST = '/opt/app.tgz';
const TMP = '/tmp/runbook-get_url.Ab12';
const NEW = 'new content\n';
const sha1 = 'a'.repeat(40);
const md = (s: string) => sha(s);

/** The first probe: stat of dest and its parent, then sha1 and the wanted digest. */
const destReply = (stat: string, sums: string[] = ['', '']) => `${stat}\ndir 755 root root 0 0\n${sums.join('\n')}\n`;
const fileOut = (content: string, path = TMP) =>
  `@@runbook-file ${sha1} ${sha(content)} ${sha(content)} ${Buffer.byteLength(content)} ${path}\n`;

async function plan(args: object, script: [RegExp, Reply][], check = false) {
  const probe = fakeProbe(script);
  const p = await get_url.plan(get_url.parse({ url: URL, dest: DEST, ...args }, at), probe, fakeCtx({ check }));
  return { p, probe };
}

const STAT = /^if \[ -e \/opt\/app\.tgz \]/;
const DL = /^t=\$\(mktemp -d/;
const RM = /^rm -f /;

describe('get_url', () => {
  it('force=no and dest exists → no request at all', async () => {
    const { p, probe } = await plan({}, [[STAT, destReply(fileLine('old'), [`${sha1}  -`, ''])]]);
    expect(p).toMatchObject({
      changed: false,
      note: 'file already exists',
      result: { dest: DEST, checksum_dest: sha1, msg: 'file already exists' },
    });
    expect(probe.commands).toHaveLength(1);
  });

  it('force=no, dest exists with other attributes → chmod only', async () => {
    const { p } = await plan({ mode: '0600' }, [[STAT, destReply(fileLine('old'), [`${sha1}  -`, ''])]]);
    expect(p.changed).toBe(true);
    expect(p.steps).toEqual([{ kind: 'exec', cmd: `chmod 0600 ${DEST}` }]);
  });

  it('force=no with a matching checksum → nothing fetched', async () => {
    const { p, probe } = await plan({ checksum: `sha256:${md('old')}` }, [
      [STAT, destReply(fileLine('old'), [`${sha1}  -`, `${md('old')}  -`])],
    ]);
    expect(p.changed).toBe(false);
    expect(probe.commands).toHaveLength(1);
  });

  it('dest absent → download to a temp file, install step: temp beside dest, umask mode, rename', async () => {
    const { p } = await plan({}, [
      [STAT, destReply('absent')],
      [DL, report({ url: URL }) + fileOut(NEW)],
    ]);
    expect(p.changed).toBe(true);
    expect(p.result).toMatchObject({
      dest: DEST,
      url: URL,
      checksum_src: sha1,
      checksum_dest: null,
      status_code: 200,
      msg: 'OK (12 bytes)',
      elapsed: 1,
    });
    const cmd = p.steps?.[0]?.kind === 'exec' ? p.steps[0].cmd : '';
    expect(cmd).toContain('n=$(mktemp /opt/.app.tgz.runbook.XXXXXX) && cat /tmp/runbook-get_url.Ab12 >"$n"');
    expect(cmd).toContain('chmod "$(printf %04o $((0666 & ~0$(umask))))" "$n"');
    expect(cmd).toContain(`mv -f "$n" ${DEST}`);
    expect(cmd).toMatch(/rm -f \/tmp\/runbook-get_url\.Ab12$/);
  });

  it('force=yes and the same content → temp removed, changed:false', async () => {
    const { p, probe } = await plan({ force: true }, [
      [STAT, destReply(fileLine(NEW), [`${sha1}  -`, ''])],
      [DL, report({ url: URL }) + fileOut(NEW)],
      [RM, ''],
    ]);
    expect(p).toMatchObject({ changed: false, note: 'content unchanged' });
    expect(probe.commands.at(-1)).toBe(`rm -f ${TMP}`);
  });

  it('a changed file keeps its mode and owner; backup named in the result', async () => {
    const { p } = await plan({ force: true, backup: true }, [
      [STAT, destReply(fileLine('old', '640', 'app', 'app'), [`${sha1}  -`, ''])],
      [DL, report({ url: URL }) + fileOut(NEW)],
    ]);
    const cmd = p.steps?.[0]?.kind === 'exec' ? p.steps[0].cmd : '';
    expect(cmd).toContain('chmod 0640 "$n" && chown app:app "$n"');
    expect(cmd).toMatch(/^\{ cp -p \/opt\/app\.tgz '?\/opt\/app\.tgz\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~'? &&/);
    expect(p.result?.backup_file).toMatch(/^\/opt\/app\.tgz\.\d{4}-.*~$/);
  });

  it('a wrong checksum fails and the download is removed (dest untouched)', async () => {
    const { p, probe } = await plan({ checksum: `sha256:${'0'.repeat(64)}` }, [
      [STAT, destReply('absent')],
      [DL, report({ url: URL }) + fileOut(NEW)],
      [RM, ''],
    ]);
    expect(p.failed).toBe(`The checksum for ${DEST} did not match ${'0'.repeat(64)}; it was ${sha(NEW)}.`);
    expect(probe.commands.at(-1)).toBe(`rm -f ${TMP}`);
    expect(p.steps).toBeUndefined();
  });

  it('HTTP 404 → Request failed with status_code', async () => {
    const { p } = await plan({}, [
      [STAT, destReply('absent')],
      [DL, report({ url: URL, status: 404 }) + fileOut('nope')],
      [RM, ''],
    ]);
    expect(p).toMatchObject({ failed: 'Request failed', result: { status_code: 404, response: 'HTTP Error 404' } });
  });

  it('no connection → the client says why', async () => {
    const { p } = await plan({}, [
      [STAT, destReply('absent')],
      [DL, report({ url: URL, status: 0, rc: 7, err: 'curl: (7) Failed to connect' }) + fileOut('')],
      [RM, ''],
    ]);
    expect(p.failed).toBe('Request failed: curl: (7) Failed to connect');
  });

  it('no curl, wget or python3 on the host', async () => {
    const { p } = await plan({}, [
      [STAT, destReply('absent')],
      [DL, { code: 127, stderr: NO_CLIENT }],
    ]);
    expect(p.failed).toBe(NO_CLIENT);
  });

  it('check mode: fetched and compared, the temp file removed, changed reported', async () => {
    const { p, probe } = await plan(
      {},
      [
        [STAT, destReply('absent')],
        [DL, report({ url: URL }) + fileOut(NEW)],
        [RM, ''],
      ],
      true,
    );
    expect(p.changed).toBe(true);
    expect(probe.commands.at(-1)).toBe(`rm -f ${TMP}`);
  });

  it('dest is a directory → the name from Content-Disposition', async () => {
    const { p } = await plan({ dest: '/opt/' }, [
      [/^if \[ -e \/opt\/ \]/, 'dir 755 root root 0 0\ndir 755 root root 0 0\n\n\n'],
      [DL, report({ url: URL, headers: { 'Content-Disposition': 'attachment; filename="real.tgz"' } }) + fileOut(NEW)],
      [/^if \[ -e \/opt\/real\.tgz \]/, destReply('absent')],
    ]);
    expect(p.result?.dest).toBe('/opt/real.tgz');
    expect(p.changed).toBe(true);
  });

  it('a missing destination directory fails before any request', async () => {
    const { p, probe } = await plan({}, [[STAT, 'absent\nabsent\n\n\n']]);
    expect(p.failed).toBe('Destination /opt does not exist');
    expect(probe.commands).toHaveLength(1);
  });

  it.each([
    [{ checksum: 'abc' }, /has to be in format <algorithm>:<checksum>/],
    [{ checksum: 'sha256:https://h/SHA256SUMS' }, /checksum read from a URL/],
    [{ checksum: 'crc32:abcd' }, /not one of md5, sha1/],
    [{ checksum: 'sha256:abcd' }, /checksum format is invalid/],
    [{ url: 'ftp.example.com/x' }, /url must start with/],
  ])('refused at load: %j', (args, msg) => {
    expect(() => get_url.parse({ url: URL, dest: DEST, ...args }, at)).toThrow(msg);
  });

  it('url_password is masked in all output; never on the command line', async () => {
    const { probe } = await plan({ url_username: 'bob', url_password: 'hunter22' }, [
      [STAT, destReply('absent')],
      [DL, report({ url: URL }) + fileOut(NEW)],
    ]);
    expect(secretValues()).toContain('hunter22');
    const curl = probe.commands[1].split('\n').find((l) => l.startsWith('curl '));
    expect(curl).not.toContain('hunter22');
  });
});
