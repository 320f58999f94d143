import { describe, expect, it } from 'vitest';
import { isJsonType, uri } from '../../../../src/modules/web/uri.js';
import { at, fakeCtx, fakeProbe, fileLine, type Reply, sha } from '../fake-probe.js';
import { report } from './report.js';

const URL = 'http://10.0.0.1:8080/api';
const REQ = /^t=\$\(mktemp -d/;
const JSON_H = { 'Content-Type': 'application/json', 'Content-Length': '11' };
const withBody = (head: string, body: string) => `${head}@@runbook-body\n${body}`;

async function plan(args: object, script: [RegExp, Reply][], check = false) {
  const probe = fakeProbe(script);
  const p = await uri.plan(uri.parse({ url: URL, ...args }, at), probe, fakeCtx({ check }));
  return { p, probe };
}

describe('uri', () => {
  it('GET of a JSON API: status, json parsed, headers as keys, never changed', async () => {
    const { p, probe } = await plan({ return_content: true }, [[REQ, withBody(report({ url: URL, headers: JSON_H }), '{"ok": true}')]]);
    expect(p.changed).toBe(false);
    expect(p.result).toMatchObject({
      status: 200,
      url: URL,
      redirected: false,
      json: { ok: true },
      content: '{"ok": true}',
      content_type: 'application/json',
      content_length: '11',
      elapsed: 1,
      msg: 'OK (11 bytes)',
    });
    expect(probe.commands).toHaveLength(1);
  });

  it('content only with return_content; json regardless', async () => {
    const { p } = await plan({}, [[REQ, withBody(report({ url: URL, headers: JSON_H }), '[1,2]')]]);
    expect(p.result?.content).toBeUndefined();
    expect(p.result?.json).toEqual([1, 2]);
  });

  it("a status not in status_code fails with Ansible's message and the content", async () => {
    const { p } = await plan({}, [[REQ, withBody(report({ url: URL, status: 503, headers: { 'Content-Length': '4' } }), 'busy')]]);
    expect(p.failed).toBe('Status code was 503 and not [200]: HTTP Error 503 (4 bytes)');
    expect(p.result?.content).toBe('busy');
  });

  it('status_code as a list (or a comma string) accepts those statuses', async () => {
    const { p } = await plan({ status_code: '200,404' }, [[REQ, withBody(report({ url: URL, status: 404 }), '')]]);
    expect(p.failed).toBeUndefined();
    expect(p.result?.status).toBe(404);
  });

  it('connection refused → status -1', async () => {
    const { p } = await plan({}, [[REQ, withBody(report({ url: URL, status: 0, rc: 7, err: 'curl: (7) refused' }), '')]]);
    expect(p.failed).toBe('Status code was -1 and not [200]: Request failed: curl: (7) refused');
  });

  it('a redirect followed: redirected and the final url', async () => {
    const { p } = await plan({}, [[REQ, withBody(report({ url: `${URL}/`, redirects: 1 }), '')]]);
    expect(p.result).toMatchObject({ redirected: true, url: `${URL}/` });
  });

  it("creates exists → no request, ok with Ansible's stdout", async () => {
    const { p, probe } = await plan({ creates: '/etc/done' }, [[/^\[ -e \/etc\/done \]$/, { code: 0 }]]);
    expect(p).toMatchObject({ changed: false, result: { stdout: 'skipped, since /etc/done exists' } });
    expect(probe.commands).toHaveLength(1);
  });

  it('removes absent → no request', async () => {
    const { p } = await plan({ removes: '/etc/x' }, [[/^\[ -e /, { code: 1 }]]);
    expect(p.result?.stdout).toBe('skipped, since /etc/x does not exist');
  });

  it("check mode: skipped, as Ansible's uri does not support it", async () => {
    const { p, probe } = await plan({ method: 'POST', body: 'x' }, [], true);
    expect(p.skipped).toBe('remote module (uri) does not support check mode');
    expect(probe.commands).toHaveLength(0);
  });

  it('body_format json: a mapping encoded, Content-Type set; POST is not redirected (safe)', () => {
    const a = uri.parse({ url: URL, method: 'POST', body: { name: 'x', n: 1 }, body_format: 'json' }, at);
    expect(a.request).toMatchObject({
      method: 'POST',
      body: '{"name":"x","n":1}',
      headers: { 'Content-Type': 'application/json' },
      followRedirects: false,
    });
  });

  it('body_format form-urlencoded: a mapping encoded, a given Content-Type kept', () => {
    const a = uri.parse(
      { url: URL, method: 'PUT', body: { a: 'b c', d: '&' }, body_format: 'form-urlencoded', headers: { 'content-type': 'x/y' } },
      at,
    );
    expect(a.request.body).toBe('a=b+c&d=%26');
    expect(a.request.headers).toEqual({ 'content-type': 'x/y' });
  });

  it.each([
    [{ method: 'get' }, /single word in uppercase/],
    [{ url: 'localhost/x' }, /url must start with/],
    [{ body_format: 'xml' }, /body_format/],
  ])('refused at load: %j', (args, msg) => {
    expect(() => uri.parse({ url: URL, ...args }, at)).toThrow(msg);
  });

  it('dest: new content → installed by rename, changed', async () => {
    const { p } = await plan({ dest: '/var/www/page' }, [
      [REQ, withBody(`${report({ url: URL })}@@runbook-file ${sha('page')} /tmp/runbook-uri.X\n`, 'page')],
      [/^if \[ -e \/var\/www\/page \].*; if \[ -f \/var\/www \]/, 'absent\ndir 755 root root 0 0\n'],
      [/^if \[ -e \/var\/www\/page \]/, 'absent\n'],
    ]);
    expect(p.changed).toBe(true);
    expect(p.result?.path).toBe('/var/www/page');
    expect(p.steps?.[0]?.kind === 'exec' && p.steps[0].cmd).toContain('mv -f "$n" /var/www/page');
  });

  it('dest: same content → temp removed, not changed', async () => {
    const { p, probe } = await plan({ dest: '/var/www/page' }, [
      [REQ, withBody(`${report({ url: URL })}@@runbook-file ${sha('page')} /tmp/runbook-uri.X\n`, 'page')],
      [/^if \[ -e \/var\/www\/page \].*; if \[ -f \/var\/www \]/, `${fileLine('page')}\ndir 755 root root 0 0\n`],
      [/^if \[ -e \/var\/www\/page \]/, `${fileLine('page')}\n`],
      [/^rm -f /, ''],
    ]);
    expect(p.changed).toBe(false);
    expect(probe.commands.at(-1)).toBe('rm -f /tmp/runbook-uri.X');
  });

  it.each([
    ['application/json', true],
    ['application/problem+json; charset=utf-8', true],
    ['text/javascript', true],
    ['text/html', false],
    [undefined, false],
  ])('%s is JSON: %s', (t, yes) => {
    expect(isJsonType(t)).toBe(yes);
  });
});
