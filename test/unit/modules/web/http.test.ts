import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpRequest, headerKeys, httpScript, lastHeaders, parseHttp, responseFilename } from '../../../../src/modules/web/http.js';
import { report } from './report.js';

const req = (over: Partial<HttpRequest> = {}): HttpRequest => ({
  url: 'http://127.0.0.1/x',
  method: 'GET',
  headers: {},
  timeout: 5,
  validateCerts: true,
  followRedirects: true,
  forceBasicAuth: false,
  ...over,
});

describe('http report', () => {
  it('curl: status, redirects and final URL from -w; headers of the last response only', () => {
    const out = report({ url: 'http://h/a/', redirects: 1, headers: { 'Content-Type': 'application/json' } });
    const raw = out.replace('HTTP/1.1 200', 'HTTP/1.1 301 Moved\r\nLocation: /a/\r\n\r\nHTTP/1.1 200');
    const r = parseHttp(raw, 'http://h/a');
    expect(r).toMatchObject({ client: 'curl', status: 200, redirects: 1, url: 'http://h/a/', elapsedMs: 1500 });
    expect(r?.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('curl: the credentials curl puts in its effective URL are taken out', () => {
    expect(parseHttp(report({ url: 'http://u:p@h/x' }), 'http://h/x')?.url).toBe('http://h/x');
  });

  it('transport failure: status -1 and the client complaint', () => {
    const r = parseHttp(report({ status: 0, rc: 7, url: 'http://h/', err: 'curl: (7) Failed to connect' }), 'http://h/');
    expect(r).toMatchObject({ status: -1, rc: 7, error: 'curl: (7) Failed to connect' });
  });

  it('wget: status from -S, the final URL followed through Location headers', () => {
    const s = '  HTTP/1.0 301 Moved\n  Location: /sub/\n  HTTP/1.0 200 OK\n  Content-Type: text/html\n';
    const out = `@@runbook-http wget 0 10\n\n@@runbook-http head\n${s}\n@@runbook-http err\n${s}\n@@runbook-http end\n`;
    expect(parseHttp(out, 'http://h/sub')).toMatchObject({
      status: 200,
      redirects: 1,
      url: 'http://h/sub/',
      headers: { 'content-type': 'text/html' },
      error: '',
    });
  });

  it('wget: a network failure is named', () => {
    const out = '@@runbook-http wget 4 10\n\n@@runbook-http head\n\n@@runbook-http err\n\n@@runbook-http end\n';
    expect(parseHttp(out, 'http://h/')?.error).toMatch(/network failure/);
  });

  it('no report at all → undefined', () => {
    expect(parseHttp('', 'http://h/')).toBeUndefined();
  });

  it.each([
    [{ 'content-disposition': 'attachment; filename="app.tgz"' }, 'http://h/dl?id=1', 'app.tgz'],
    [{ 'content-disposition': "attachment; filename*=UTF-8''caf%C3%A9.txt" }, 'http://h/x', 'café.txt'],
    [{ 'content-disposition': 'attachment; filename="../../etc/passwd"' }, 'http://h/x', 'passwd'],
    [{}, 'http://h/files/a%20b.txt', 'a b.txt'],
    [{}, 'http://h/', 'index.html'],
  ])('file name from %j and %s → %s', (h, url, name) => {
    expect(responseFilename(h, url)).toBe(name);
  });

  it('headers become result keys the Ansible way', () => {
    expect(headerKeys(lastHeaders('HTTP/1.1 200 OK\r\nContent-Type: a\r\nX-Req-Id: 7\r\n').headers)).toEqual({
      content_type: 'a',
      x_req_id: '7',
    });
  });

  it('the password reaches curl through its config on stdin, never its command line', () => {
    const s = httpScript(req({ user: 'bob', password: 's3cr"t', headers: { Authorization: 'Bearer tok' } }), '"$t/body"', 'curl');
    const curlLine = s.split('\n').find((l) => l.startsWith('curl '))!;
    expect(curlLine).not.toContain('s3cr');
    expect(curlLine).not.toContain('tok');
    expect(s).toContain('user = "bob:s3cr\\"t"');
    expect(s).toContain('header = "Authorization: Bearer tok"');
  });

  it('a client certificate, its key and a CA reach each client its own way', () => {
    const r = req({ clientCert: '/etc/pki/c.crt', clientKey: '/etc/pki/c.key', caPath: '/etc/pki/ca.crt' });
    const curl = httpScript(r, '"$t/body"', 'curl');
    expect(curl).toContain('cert = "/etc/pki/c.crt"\nkey = "/etc/pki/c.key"\ncacert = "/etc/pki/ca.crt"');
    const wget = httpScript(r, '"$t/body"', 'wget');
    expect(wget).toContain('--certificate=/etc/pki/c.crt --private-key=/etc/pki/c.key --ca-certificate=/etc/pki/ca.crt');
    const py = httpScript(r, '"$t/body"', 'python3');
    const spec = JSON.parse(Buffer.from(/RB_REQ='?([A-Za-z0-9+/=]+)/.exec(py)![1], 'base64').toString());
    expect(spec).toMatchObject({ cert: '/etc/pki/c.crt', key: '/etc/pki/c.key', ca: '/etc/pki/ca.crt' });
  });

  it('a body is written from a quoted word, never pasted into a command', () => {
    const s = httpScript(req({ method: 'POST', body: "it's $(rm -rf /)" }));
    expect(s).toContain(`printf %s 'it'\\''s $(rm -rf /)' >"$t/req"`);
    expect(s).toContain('--data-binary @"$t/req"');
  });
});

// The three clients for real, on loopback, against a server this test controls.
describe.each(['curl', 'wget', 'python3'] as const)('%s on loopback', (client) => {
  let server: Server;
  let base = '';
  // A client the machine lacks is skipped (the module then falls back to the next one, as on a host).
  const have = spawnSync('sh', ['-c', `command -v ${client}`]).status === 0;
  beforeAll(async () => {
    server = createServer((q, s) => {
      let body = '';
      q.on('data', (d) => (body += d));
      q.on('end', () => {
        if (q.url === '/old') return s.writeHead(302, { Location: '/api' }).end();
        if (q.url === '/private' && q.headers.authorization !== `Basic ${Buffer.from('bob:pw').toString('base64')}`)
          return s.writeHead(401, { 'WWW-Authenticate': 'Basic realm="x"' }).end('no');
        s.writeHead(q.url === '/missing' ? 404 : 200, { 'Content-Type': 'application/json' });
        s.end(JSON.stringify({ method: q.method, body, h: q.headers['x-test'] ?? null }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const run = (r: HttpRequest) =>
    new Promise<{ res: ReturnType<typeof parseHttp>; body: string }>((done) => {
      const script = `t=$(mktemp -d)\n${httpScript(r, '"$t/body"', client)}\necho @@body; cat "$t/body"; rm -rf "$t"`;
      const child = spawn('sh', ['-c', script]);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.on('close', () => done({ res: parseHttp(out, r.url), body: out.split('@@body\n')[1] ?? '' }));
    });

  it.skipIf(!have)('GET with a header; a redirect followed; POST body; 404; basic auth', async () => {
    const a = await run(req({ url: `${base}/api`, headers: { 'X-Test': 'yes' } }));
    expect(a.res).toMatchObject({ status: 200, url: `${base}/api`, redirects: 0 });
    expect(JSON.parse(a.body)).toEqual({ method: 'GET', body: '', h: 'yes' });
    const b = await run(req({ url: `${base}/old` }));
    expect(b.res).toMatchObject({ status: 200, url: `${base}/api`, redirects: 1 });
    const n = await run(req({ url: `${base}/old`, followRedirects: false }));
    expect(n.res?.status).toBe(302);
    const c = await run(req({ url: `${base}/api`, method: 'POST', body: 'a=1&b=2' }));
    expect(JSON.parse(c.body)).toMatchObject({ method: 'POST', body: 'a=1&b=2' });
    expect((await run(req({ url: `${base}/missing` }))).res?.status).toBe(404);
    expect((await run(req({ url: `${base}/private`, user: 'bob', password: 'pw', forceBasicAuth: true }))).res?.status).toBe(200);
  });
});
