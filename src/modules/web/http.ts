// One HTTP request made ON the host (as Ansible's modules do) with what it has: curl, else wget, else python3.
// The shell fragment leaves the body in a file and prints one framed report that parseHttp reads back.
import { randomBytes } from 'node:crypto';
import { quote } from '../../remote/quote.js';

export interface HttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** Request body, written to a file on the host first (never on a command line). */
  body?: string;
  timeout: number;
  validateCerts: boolean;
  followRedirects: boolean;
  user?: string;
  password?: string;
  /** Send the credentials at once instead of after a 401 challenge. */
  forceBasicAuth: boolean;
  /** Paths on the host: a client certificate (and its key) for TLS client authentication; a CA to verify with. */
  clientCert?: string;
  clientKey?: string;
  caPath?: string;
}

export interface HttpResponse {
  client: string;
  /** 0 or more: the client's exit code (transport failure when no status came back). */
  rc: number;
  /** -1 when no response arrived. */
  status: number;
  url: string;
  redirects: number;
  /** Header names lower-cased, as Ansible returns them. */
  headers: Record<string, string>;
  elapsedMs: number;
  /** The client's complaint when the transport failed. */
  error: string;
}

export const NO_CLIENT = 'no HTTP client on the host: install curl, wget or python3';
const MARK = '@@runbook-http';

/** curl's config-file string: quoted, backslash and quote escaped, newlines as \n. */
const curlStr = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;

/** A heredoc whose delimiter cannot occur in the text. */
function heredoc(text: string): { open: string; body: string } {
  let d = `RB_${randomBytes(6).toString('hex')}`;
  while (text.includes(d)) d = `RB_${randomBytes(6).toString('hex')}`;
  return { open: `<<'${d}'`, body: `${text}\n${d}` };
}

function curlPart(r: HttpRequest, body: string, out: string): string {
  const conf = [
    `url = ${curlStr(r.url)}`,
    `request = ${curlStr(r.method)}`,
    ...Object.entries(r.headers).map(([k, v]) => `header = ${curlStr(`${k}: ${v}`)}`),
    ...(r.user !== undefined ? [`user = ${curlStr(`${r.user}:${r.password ?? ''}`)}`] : []),
    ...(r.clientCert !== undefined ? [`cert = ${curlStr(r.clientCert)}`] : []),
    ...(r.clientKey !== undefined ? [`key = ${curlStr(r.clientKey)}`] : []),
    ...(r.caPath !== undefined ? [`cacert = ${curlStr(r.caPath)}`] : []),
  ];
  const flags = ['-sS', '-g', '--max-time', String(r.timeout), '--connect-timeout', String(r.timeout)];
  if (r.followRedirects) flags.push('-L', '--max-redirs', '50');
  if (!r.validateCerts) flags.push('-k');
  if (r.user !== undefined && !r.forceBasicAuth) flags.push('--anyauth');
  const h = heredoc(conf.join('\n'));
  return [
    `curl ${flags.map(quote).join(' ')}${r.body !== undefined ? ` --data-binary @${body}` : ''} -o ${out} -D "$t/head" -w '%{http_code} %{num_redirects} %{url_effective}' -K - ${h.open} >"$t/meta" 2>"$t/err"`,
    h.body,
    'rc=$?; c=curl',
  ].join('\n');
}

function wgetPart(r: HttpRequest, body: string, out: string): string {
  if (Object.entries(r.headers).some(([k, v]) => /[\r\n]/.test(k + v)) || /[\r\n]/.test(`${r.user ?? ''}${r.password ?? ''}`))
    return 'echo "wget: a header or credential holds a newline" >"$t/err"; rc=2; c=wget';
  const rc = [
    ...Object.entries(r.headers).map(([k, v]) => `header = ${k}: ${v}`),
    ...(r.user !== undefined ? [`http_user = ${r.user}`, `http_password = ${r.password ?? ''}`] : []),
    ...(r.forceBasicAuth ? ['auth_no_challenge = on'] : []),
  ];
  const flags = ['-q', '-S', '--content-on-error', `--timeout=${r.timeout}`, `--tries=1`, `--method=${r.method}`];
  flags.push(`--max-redirect=${r.followRedirects ? 50 : 0}`);
  if (!r.validateCerts) flags.push('--no-check-certificate');
  if (r.clientCert !== undefined) flags.push(`--certificate=${r.clientCert}`);
  if (r.clientKey !== undefined) flags.push(`--private-key=${r.clientKey}`);
  if (r.caPath !== undefined) flags.push(`--ca-certificate=${r.caPath}`);
  const h = heredoc(rc.join('\n'));
  return [
    `cat >"$t/rc" ${h.open}`,
    h.body,
    `wget --config="$t/rc" ${flags.map(quote).join(' ')}${r.body !== undefined ? ` --body-file=${body}` : ''} -O ${out} ${quote(r.url)} 2>"$t/err"`,
    'rc=$?; c=wget; cp "$t/err" "$t/head"',
  ].join('\n');
}

// urllib: redirects counted (or refused), HTTP errors still give status, headers and body.
const PY = `import base64,json,os,ssl,sys,urllib.request as u
r=json.loads(base64.b64decode(os.environ['RB_REQ']));d=sys.argv[1];out=sys.argv[2];n=[0]
class R(u.HTTPRedirectHandler):
  def redirect_request(s,*a,**k):
    if not r['follow']:return None
    n[0]+=1;return super().redirect_request(*a,**k)
ctx=ssl.create_default_context()
if r.get('ca'):ctx.load_verify_locations(cafile=r['ca'])
if r.get('cert'):ctx.load_cert_chain(r['cert'],r.get('key'))
if not r['verify']:ctx.check_hostname=False;ctx.verify_mode=ssl.CERT_NONE
hs=[R(),u.HTTPSHandler(context=ctx)]
h=dict(r['headers'])
if r.get('user') is not None:
  if r['force']:h['Authorization']='Basic '+base64.b64encode((r['user']+':'+(r.get('password') or '')).encode()).decode()
  else:
    m=u.HTTPPasswordMgrWithDefaultRealm();m.add_password(None,r['url'],r['user'],r.get('password') or '');hs.append(u.HTTPBasicAuthHandler(m))
o=u.build_opener(*hs)
q=u.Request(r['url'],data=open(sys.argv[3],'rb').read() if r['body'] else None,headers=h,method=r['method'])
try:
  x=o.open(q,timeout=r['timeout'])
except u.HTTPError as e:
  x=e
except Exception as e:
  open(d+'/err','w').write(str(e));sys.exit(7)
with open(out,'wb') as f:f.write(x.read())
with open(d+'/head','w') as f:f.write('HTTP/1.1 %d %s\\r\\n'%(x.status,x.reason)+str(x.headers))
open(d+'/meta','w').write('%d %d %s'%(x.status,n[0],x.geturl()))`;

function pythonPart(r: HttpRequest, body: string, out: string): string {
  const spec = {
    url: r.url,
    method: r.method,
    headers: r.headers,
    timeout: r.timeout,
    verify: r.validateCerts,
    follow: r.followRedirects,
    user: r.user,
    password: r.password,
    force: r.forceBasicAuth,
    body: r.body !== undefined,
    cert: r.clientCert,
    key: r.clientKey,
    ca: r.caPath,
  };
  // The request (credentials included) reaches python through its environment, not its command line.
  const b64 = Buffer.from(JSON.stringify(spec)).toString('base64');
  const h = heredoc(PY);
  return [`RB_REQ=${quote(b64)} python3 - "$t" ${out} ${body} ${h.open} 2>>"$t/err"`, h.body, 'rc=$?; c=python3'].join('\n');
}

/**
 * The shell lines making the request. Expects `$t` to be a private temporary directory; leaves the body in
 * `out` (a shell word, e.g. "$t/body"), then prints the report. Fails with 127 when no client exists.
 */
export function httpScript(r: HttpRequest, out = '"$t/body"', only?: 'curl' | 'wget' | 'python3'): string {
  const body = '"$t/req"';
  const lines = ['s0=$(date +%s%N)'];
  if (r.body !== undefined) lines.push(`printf %s ${quote(r.body)} >${body}`);
  const has = (c: string) => (only ? (only === c ? 'true' : 'false') : `command -v ${c} >/dev/null 2>&1`);
  lines.push(
    `if ${has('curl')}; then`,
    curlPart(r, body, out),
    `elif ${has('wget')}; then`,
    wgetPart(r, body, out),
    `elif ${has('python3')}; then`,
    pythonPart(r, body, out),
    'else',
    `echo ${quote(NO_CLIENT)} >&2; exit 127`,
    'fi',
    `printf '${MARK} %s %s %s\\n' "$c" "$rc" "$(( ($(date +%s%N) - s0) / 1000000 ))"`,
    `cat "$t/meta" 2>/dev/null; printf '\\n${MARK} head\\n'; cat "$t/head" 2>/dev/null; printf '\\n${MARK} err\\n'; cat "$t/err" 2>/dev/null; printf '\\n${MARK} end\\n'`,
  );
  return lines.join('\n');
}

/** The headers of the last response in a raw header dump (several blocks when redirects were followed). */
export function lastHeaders(raw: string): { status: number; headers: Record<string, string>; locations: string[] } {
  const lines = raw.split(/\r?\n/).map((l) => l.replace(/^ {2}/, ''));
  let status = -1;
  let headers: Record<string, string> = {};
  const locations: string[] = [];
  for (const l of lines) {
    const st = /^HTTP\/[\d.]+ (\d{3})/.exec(l);
    if (st) {
      status = Number(st[1]);
      headers = {};
      continue;
    }
    const m = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+):\s*(.*)$/.exec(l);
    if (!m) continue;
    const k = m[1].toLowerCase();
    headers[k] = k in headers ? `${headers[k]}, ${m[2].trim()}` : m[2].trim();
    if (k === 'location') locations.push(m[2].trim());
  }
  return { status, headers, locations };
}

function section(out: string, name: string): string {
  const start = out.indexOf(`${MARK} ${name}\n`);
  if (start < 0) return '';
  const from = start + MARK.length + name.length + 2;
  const end = out.indexOf(`\n${MARK} `, from);
  return out.slice(from, end < 0 ? undefined : end);
}

/** Reads the report httpScript printed; undefined when there is none. */
export function parseHttp(stdout: string, url: string): HttpResponse | undefined {
  const head = new RegExp(`${MARK} (\\S+) (\\d+) (\\d+)\\n([^\\n]*)`).exec(stdout);
  if (!head) return undefined;
  const [, client, rc, ms, meta] = head;
  const hdr = lastHeaders(section(stdout, 'head'));
  const error = section(stdout, 'err').trim();
  const res: HttpResponse = { client, rc: Number(rc), status: -1, url, redirects: 0, headers: hdr.headers, elapsedMs: Number(ms), error };
  if (client === 'wget') {
    res.status = hdr.status;
    let at = url;
    for (const loc of hdr.locations) at = new URL(loc, at).toString();
    res.redirects = hdr.locations.length;
    // The last Location is only followed when the final status is not itself a redirect.
    if (res.status >= 300 && res.status < 400 && hdr.locations.length) {
      res.redirects -= 1;
      at = hdr.locations.length > 1 ? new URL(hdr.locations[hdr.locations.length - 2], url).toString() : url;
    }
    res.url = at;
  } else {
    const m = /^(\d+) (\d+) (.*)$/.exec(meta.trim());
    if (m) {
      res.status = Number(m[1]) || -1;
      res.redirects = Number(m[2]);
      res.url = m[3] || url;
    }
  }
  if (res.status <= 0) res.status = -1;
  res.url = withoutCredentials(res.url);
  if (client === 'wget') res.error = res.status > 0 ? '' : (WGET_RC[res.rc] ?? '');
  return res;
}

const WGET_RC: Record<number, string> = {
  4: 'wget: network failure (connection refused, timeout or name not resolved)',
  5: 'wget: certificate verification failed',
};

// curl puts the user:password it sent into its effective URL.
function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/** Ansible's result keys for the response headers: lower-cased, '-' as '_'. */
export function headerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.replace(/-/g, '_'), v]));
}

/** The file name a response suggests: Content-Disposition's filename, else the last segment of the URL path. */
export function responseFilename(headers: Record<string, string>, url: string): string {
  const cd = headers['content-disposition'];
  const m = cd ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd) : null;
  if (m) {
    const name = decodeURIComponent(m[1]).split('/').pop() ?? '';
    if (name && name !== '.' && name !== '..') return name;
  }
  let path = '';
  try {
    path = new URL(url).pathname;
  } catch {
    path = '';
  }
  const last = decodeURIComponent(path.split('/').pop() ?? '');
  return last || 'index.html';
}

/** What went wrong with the transport, in a sentence. */
export function transportError(r: HttpResponse): string {
  return `Request failed: ${r.error || `${r.client} exited with ${r.rc}`}`;
}
