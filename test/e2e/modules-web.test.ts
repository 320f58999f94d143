// The web family on a 2-host lab: h1 serves files over HTTP from its own namespace, h2 fetches, waits and clones.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabInfo, labDown, onHost, recapOf, runbook, withLab } from './helpers.js';

let lab: LabInfo;
let dir: string;
let h1ip: string;
let serverPid = '';
const PORT = 8080;
const TLS_PORT = 8443;
let tlsPid = '';
const HELLO = 'hello from h1\n';
const BAD = `sha256:${'0'.repeat(64)}`;

const commit = (file: string, text: string) =>
  onHost(
    lab,
    'h2',
    `set -e; cd /var/tmp/work; printf %s '${text}' > ${file}; git add ${file}; git -c user.name=t -c user.email=t@lab commit -qm ${file}; git push -q origin HEAD:main`,
  );

function playbook(): string {
  const url = `http://${h1ip}:${PORT}`;
  return `
- hosts: h2
  gather_facts: false
  tasks:
    - name: download
      get_url: {url: "${url}/hello.txt", dest: /var/tmp/hello.txt, mode: "0640"}
      register: g1
    - name: download again (force=no, dest exists)
      get_url: {url: "${url}/hello.txt", dest: /var/tmp/hello.txt, mode: "0640"}
      register: g2
    - file: {path: /var/tmp/dl, state: directory}
    - name: download into a directory, named from the URL, checksum verified
      get_url: {url: "${url}/hello.txt", dest: /var/tmp/dl/, checksum: "sha256:${createHash('sha256').update(HELLO).digest('hex')}", force: true}
      register: g3
    - name: a wrong checksum fails
      get_url: {url: "${url}/hello.txt", dest: /var/tmp/bad.txt, checksum: "${BAD}"}
      register: bad
      ignore_errors: true
    - assert:
        that:
          - g2 is not changed
          - g2.msg == 'file already exists'
          - bad is failed
          - "'did not match' in bad.msg"
          - g3.dest == '/var/tmp/dl/hello.txt'
          - g3.status_code == 200
    - name: the API
      uri: {url: "${url}/api.json", return_content: true}
      register: api
      failed_when: api.status != 200
    - assert:
        that:
          - api.json.service == 'web'
          - api.json.ports == [80, 443]
          - api.content_type == 'application/json'
          - api.redirected == false
          - "'service' in api.content"
          - api is not changed
    - name: a 404 that is expected
      uri: {url: "${url}/missing", status_code: [404]}
    - name: a redirect followed (http.server adds the slash to a directory)
      uri: {url: "${url}/sub"}
      register: redir
    - assert: {that: [redir.redirected, "redir.url == '${url}/sub/'"]}
    - name: body to a file
      uri: {url: "${url}/hello.txt", dest: /var/tmp/hello-uri.txt}
    - name: h1's server is up
      wait_for: {host: "${h1ip}", port: ${PORT}, timeout: 10}
    - name: the download holds the text
      wait_for: {path: /var/tmp/hello.txt, search_regex: 'from (?P<who>h\\d)', timeout: 5}
      register: w
    - assert: {that: ["w.match_groups == ['h1']", "w.match_groupdict.who == 'h1'"]}
    - name: nothing listens on ${PORT + 1}
      wait_for: {host: "${h1ip}", port: ${PORT + 1}, state: stopped, timeout: 5}
    - name: a server that asks for a client certificate, with one
      uri:
        url: "https://${h1ip}:${TLS_PORT}/hello.txt"
        client_cert: /var/tmp/tls/client.crt
        client_key: /var/tmp/tls/client.key
        ca_path: /var/tmp/tls/ca.crt
        return_content: true
      register: mtls
    - name: the same server without one
      uri: {url: "https://${h1ip}:${TLS_PORT}/hello.txt", ca_path: /var/tmp/tls/ca.crt}
      register: nocert
      ignore_errors: true
    - assert: {that: ["mtls.status == 200", "mtls.content == '${HELLO.trim()}\\n'", "nocert is failed"]}
    - name: checkout
      git: {repo: /var/lib/src.git, dest: /var/tmp/checkout, version: main}
      register: co
    - assert: {that: ["(co is changed) == (co.before != co.after)", "co.after | length == 40"]}
`;
}

beforeAll(async () => {
  lab = await withLab('mweb', 2);
  h1ip = lab.hosts.find((h) => h.name === 'h1')!.ip;
  dir = mkdtempSync(join(tmpdir(), 'mweb-'));
  writeFileSync(join(dir, 'web.yaml'), playbook());
  const api = JSON.stringify({ service: 'web', ports: [80, 443] });
  const srv = onHost(
    lab,
    'h1',
    `set -e; mkdir -p /var/www/sub; printf %s '${HELLO}' > /var/www/hello.txt; printf %s '${api}' > /var/www/api.json; echo sub > /var/www/sub/index.html; cd /var/www; setsid /usr/bin/python3 -m http.server ${PORT} --bind ${h1ip} >/var/log/http.log 2>&1 </dev/null & echo $!`,
  );
  serverPid = srv.stdout.trim();
  expect(serverPid).toMatch(/^\d+$/);
  // TLS with client certificates: a CA, h1's server certificate for its address, and h2's client certificate
  const tls = join(dir, 'tls');
  const ssl = (...a: string[]) => expect(spawnSync('openssl', a, { cwd: tls, encoding: 'utf8' }).status).toBe(0);
  mkdirSync(tls);
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=mweb-ca');
  for (const [n, cn, ext] of [
    ['server', h1ip, `subjectAltName=IP:${h1ip}`],
    ['client', 'h2', 'extendedKeyUsage=clientAuth'],
  ]) {
    writeFileSync(join(tls, `${n}.ext`), `${ext}\n`);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${n}.key`, '-out', `${n}.csr`, '-subj', `/CN=${cn}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${n}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${n}.crt`,
      '-days',
      '2',
      '-extfile',
      `${n}.ext`,
    );
  }
  const put = (h: string, files: string[]) => {
    const write = files.map((f) => `printf %s '${readFileSync(join(tls, f)).toString('base64')}' | base64 -d > /var/tmp/tls/${f}`);
    expect(onHost(lab, h, ['mkdir -p /var/tmp/tls', ...write].join('; ')).code).toBe(0);
  };
  put('h1', ['ca.crt', 'server.crt', 'server.key']);
  put('h2', ['ca.crt', 'client.crt', 'client.key']);
  const py = `import ssl,http.server,os;os.chdir('/var/www');c=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);c.load_cert_chain('/var/tmp/tls/server.crt','/var/tmp/tls/server.key');c.load_verify_locations('/var/tmp/tls/ca.crt');c.verify_mode=ssl.CERT_REQUIRED;s=http.server.HTTPServer(('${h1ip}',${TLS_PORT}),http.server.SimpleHTTPRequestHandler);s.socket=c.wrap_socket(s.socket,server_side=True);s.serve_forever()`;
  tlsPid = onHost(lab, 'h1', `setsid /usr/bin/python3 -c "${py}" >/var/log/https.log 2>&1 </dev/null & echo $!`).stdout.trim();
  expect(tlsPid).toMatch(/^\d+$/);
  const repo = onHost(
    lab,
    'h2',
    'set -e; git init -q --bare /var/lib/src.git; git -C /var/lib/src.git symbolic-ref HEAD refs/heads/main; git clone -q /var/lib/src.git /var/tmp/work 2>/dev/null',
  );
  expect(repo.code, repo.stderr).toBe(0);
  expect(commit('README', 'first\n').code).toBe(0);
  // the server answers before the playbook runs
  for (let i = 0; i < 50 && onHost(lab, 'h2', `curl -sf http://${h1ip}:${PORT}/hello.txt`).code !== 0; i++)
    await new Promise((r) => setTimeout(r, 100));
}, 180_000);

afterAll(async () => {
  if (serverPid) onHost(lab, 'h1', `kill ${serverPid}`);
  if (tlsPid) onHost(lab, 'h1', `kill ${tlsPid}`);
  await labDown({ name: 'mweb' });
});

describe('web modules on a 2-host lab', () => {
  it('downloads, requests, waits and clones; h2 holds the result', async () => {
    const r = await runbook(['run', join(dir, 'web.yaml'), '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const h2 = recapOf(r.stdout).h2;
    // get_url, dl/ made, get_url into dl/, uri dest, git clone
    expect(h2.changed).toBe(5);
    // the wrong checksum, and the TLS server refusing a request without a client certificate
    expect(h2.ignored).toBe(2);
    expect(onHost(lab, 'h2', 'cat /var/tmp/hello.txt').stdout).toBe(HELLO);
    expect(onHost(lab, 'h2', 'stat -c %a /var/tmp/hello.txt').stdout.trim()).toBe('640');
    expect(onHost(lab, 'h2', 'cat /var/tmp/dl/hello.txt /var/tmp/hello-uri.txt').stdout).toBe(HELLO + HELLO);
    expect(onHost(lab, 'h2', 'test -e /var/tmp/bad.txt || echo absent').stdout.trim()).toBe('absent');
    expect(onHost(lab, 'h2', 'cat /var/tmp/checkout/README').stdout).toBe('first\n');
    // no download left behind in the temp directory
    expect(onHost(lab, 'h2', 'ls /tmp /var/tmp/dl | grep -c runbook || true').stdout.trim()).toBe('0');
  }, 120_000);

  it('a rerun changes nothing', async () => {
    const r = await runbook(['run', join(dir, 'web.yaml'), '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(recapOf(r.stdout).h2.changed).toBe(0);
  }, 120_000);

  it('a new commit in the repository moves the checkout, then nothing again', async () => {
    const before = onHost(lab, 'h2', 'git -C /var/tmp/checkout rev-parse HEAD').stdout.trim();
    expect(commit('NEWS', 'second\n').code).toBe(0);
    const r = await runbook(['run', join(dir, 'web.yaml'), '-i', lab.inventoryPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(recapOf(r.stdout).h2.changed).toBe(1);
    const after = onHost(lab, 'h2', 'git -C /var/tmp/checkout rev-parse HEAD').stdout.trim();
    expect(after).not.toBe(before);
    expect(r.stdout).toMatch(/changed\s+checkout/);
    expect(onHost(lab, 'h2', 'cat /var/tmp/checkout/NEWS').stdout).toBe('second\n');
    const again = await runbook(['run', join(dir, 'web.yaml'), '-i', lab.inventoryPath]);
    expect(recapOf(again.stdout).h2.changed).toBe(0);
  }, 180_000);

  it('check mode: uri is skipped (as in Ansible), nothing is written', async () => {
    onHost(lab, 'h2', 'rm -f /var/tmp/hello.txt');
    const r = await runbook(['run', join(dir, 'web.yaml'), '-i', lab.inventoryPath, '--check']);
    expect(r.stdout).toMatch(/skipped/);
    expect(onHost(lab, 'h2', 'test -e /var/tmp/hello.txt || echo absent').stdout.trim()).toBe('absent');
    expect(onHost(lab, 'h2', 'ls /tmp | grep -c runbook || true').stdout.trim()).toBe('0');
  }, 120_000);
});
