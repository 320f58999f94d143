// Makes an HTTP request from the host and registers status, headers, content and parsed JSON (Ansible's uri).
import { posix } from 'node:path';
import { quote } from '../../remote/quote.js';
import { fail, isTemplated, mode } from '../args.js';
import { attrFix, parseStat, statScript } from '../fs.js';
import { defineModule, type Plan } from '../types.js';
import { installStep } from './get_url.js';
import { headerKeys, httpScript, NO_CLIENT, parseHttp, responseFilename } from './http.js';
import { checkUrl, requestOf, TEMP_DIR, URL_ARGS } from './url-args.js';

const BODY_MARK = '@@runbook-body';
const FILE_MARK = '@@runbook-file';
/** Content sent back to the controller is capped: uri is for APIs, get_url for downloads. */
export const MAX_CONTENT = 8 * 1024 * 1024;

export interface UriArgs {
  url: string;
  request: ReturnType<typeof requestOf>;
  statusCodes: number[];
  returnContent: boolean;
  dest?: string;
  creates?: string;
  removes?: string;
  mode?: string;
  owner?: string;
  group?: string;
}

/** Ansible's JSON_CANDIDATES: json, or a +json suffix. */
export function isJsonType(contentType: string | undefined): boolean {
  const sub = (contentType ?? '').split(';')[0].trim().toLowerCase().split('/')[1] ?? '';
  const s = sub.includes('+') ? sub.split('+').pop()! : sub;
  return s === 'json' || s === 'javascript';
}

function encodeBody(body: unknown, format: string, a: Parameters<typeof fail>[0]): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (format === 'json') return typeof body === 'string' ? body : JSON.stringify(body);
  if (format === 'form-urlencoded') {
    if (typeof body === 'string') return body;
    const pairs: [string, string][] = Array.isArray(body)
      ? body.map((x) =>
          Array.isArray(x) ? [String(x[0]), String(x[1])] : fail(a, 'body: a form-urlencoded list holds [name, value] pairs'),
        )
      : Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
    return new URLSearchParams(pairs).toString();
  }
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function requestScript(p: UriArgs): string {
  const out = p.dest ? '"$f"' : '"$t/body"';
  return [
    TEMP_DIR,
    ...(p.dest
      ? [`f=$(mktemp "\${TMPDIR:-/tmp}/runbook-uri.XXXXXX") || exit 96`, `keep=; trap 'rm -rf "$t"; [ -n "$keep" ] || rm -f "$f"' EXIT`]
      : [`trap 'rm -rf "$t"' EXIT`]),
    httpScript(p.request, out),
    ...(p.dest ? [`b=$(sha256sum <"$f") || exit 95`, `printf '${FILE_MARK} %s %s\\n' "\${b%% *}" "$f"`, 'keep=1'] : []),
    `printf '${BODY_MARK}\\n'; head -c ${MAX_CONTENT} ${out} 2>/dev/null`,
  ].join('\n');
}

/** Ansible's uri: a request whose result is the response; changed only when dest gets new content. */
export const uri = defineModule({
  name: 'uri',
  doc: 'Makes an HTTP request from the host and registers status, headers, content and parsed JSON.',
  example: 'uri: {url: "http://localhost:8080/health", return_content: true, status_code: [200, 204]}',
  args: {
    url: { required: true, description: 'http or https URL, requested by the host (curl, else wget, else python3)' },
    method: { default: 'GET', description: 'HTTP method, one upper-case word (GET, POST, PUT, DELETE, …)' },
    body: { type: 'raw', description: 'request body; a mapping or list is encoded as body_format says' },
    body_format: {
      choices: ['raw', 'json', 'form-urlencoded'],
      default: 'raw',
      description: 'json and form-urlencoded also set the Content-Type header',
    },
    status_code: { type: 'list', elements: 'int', default: [200], description: 'statuses that count as success' },
    return_content: {
      type: 'bool',
      default: false,
      description: 'register the body as content (JSON responses are parsed into json regardless)',
    },
    dest: { type: 'path', description: 'write the body to this file on the host (a directory: the name from the response)' },
    creates: { type: 'path', description: 'skip the request when this path exists on the host' },
    removes: { type: 'path', description: 'skip the request unless this path exists on the host' },
    follow_redirects: {
      choices: ['all', 'safe', 'none', 'urllib2', 'yes', 'no'],
      default: 'safe',
      description: 'safe: follow redirects for GET and HEAD only; all: always; none: never',
    },
    mode: { type: 'raw', check: mode, description: 'octal mode of dest such as "0644"' },
    owner: { description: 'user that owns dest' },
    group: { description: 'group that owns dest' },
    ...URL_ARGS,
    url_username: { aliases: ['user'], description: 'user for HTTP authentication' },
    url_password: { aliases: ['password'], description: 'password for HTTP authentication (masked in all output)' },
  },
  build(v, a): UriArgs {
    checkUrl(a, v.url);
    const method = v.method;
    if (!isTemplated(method) && !/^[A-Z]+$/.test(method))
      fail(a, "Parameter 'method' needs to be a single word in uppercase, like GET or POST.");
    const body = encodeBody(v.body, v.body_format, a);
    const request = requestOf(v, method, body);
    const has = (name: string) => Object.keys(request.headers).some((k) => k.toLowerCase() === name);
    if (v.body_format === 'json' && body !== undefined && !has('content-type')) request.headers['Content-Type'] = 'application/json';
    if (v.body_format === 'form-urlencoded' && body !== undefined && !has('content-type'))
      request.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const fr = String(v.follow_redirects);
    request.followRedirects =
      fr === 'all' || fr === 'yes' || fr === 'urllib2' || (fr === 'safe' && (method === 'GET' || method === 'HEAD'));
    return {
      url: v.url,
      request,
      statusCodes: v.status_code,
      returnContent: v.return_content,
      dest: v.dest,
      creates: v.creates,
      removes: v.removes,
      mode: v.mode,
      owner: v.owner,
      group: v.group,
    };
  },
  atTurn: true,
  async plan(p, probe, ctx) {
    // As in Ansible, whose uri does not support check mode: the request is never made in a dry run.
    if (ctx.check) return { changed: false, skipped: 'remote module (uri) does not support check mode' };
    for (const [path, wantExists] of [
      [p.creates, false],
      [p.removes, true],
    ] as const) {
      if (path === undefined) continue;
      const exists = (await probe.run(`[ -e ${quote(path)} ]`)).code === 0;
      if (exists !== wantExists) {
        const stdout = exists ? `skipped, since ${path} exists` : `skipped, since ${path} does not exist`;
        return { changed: false, note: stdout, result: { stdout, msg: stdout } };
      }
    }
    const r = await probe.run(requestScript(p));
    const http = parseHttp(r.stdout, p.url);
    if (!http) return { changed: false, failed: r.code === 127 ? NO_CLIENT : `request failed: ${r.stderr.trim() || `exit ${r.code}`}` };
    const at = r.stdout.indexOf(`${BODY_MARK}\n`);
    const content = at < 0 ? '' : r.stdout.slice(at + BODY_MARK.length + 1);
    const file = /@@runbook-file (\S+) (.*)/.exec(r.stdout.slice(0, at < 0 ? undefined : at));
    const dropFile = async () => {
      if (file) await probe.run(`rm -f ${quote(file[2])}`);
    };
    const ok = p.statusCodes.includes(http.status);
    const result: Record<string, unknown> = {
      ...headerKeys(http.headers),
      status: http.status,
      url: http.url,
      redirected: http.url !== p.url,
      elapsed: Math.floor(http.elapsedMs / 1000),
      cookies: {},
      cookies_string: '',
      msg:
        http.status === -1
          ? `Request failed: ${http.error}`
          : `${ok ? 'OK' : `HTTP Error ${http.status}`} (${http.headers['content-length'] ?? Buffer.byteLength(content)} bytes)`,
    };
    if (http.headers.location) result.location = new URL(http.headers.location, p.url).toString();
    if (p.returnContent) result.content = content;
    if (isJsonType(http.headers['content-type'])) {
      try {
        result.json = JSON.parse(content);
      } catch {
        // Ansible leaves json out when the body does not parse
      }
    }
    if (!ok) {
      await dropFile();
      const msg = `Status code was ${http.status} and not [${p.statusCodes.join(', ')}]: ${result.msg}`;
      return { changed: false, failed: msg, result: { ...result, content } };
    }
    if (!p.dest || http.status === 304 || !file) {
      await dropFile();
      return { changed: false, note: `${http.status} ${http.url}`, result };
    }
    // dest: written only when the body differs from what the file holds.
    const st = await probe.run(`${statScript(p.dest, { follow: true })}`);
    let dest = p.dest;
    if (parseStat(st.stdout.split('\n')[0] ?? '').type === 'dir') dest = posix.join(p.dest, responseFilename(http.headers, http.url));
    const r2 = await probe.run(`${statScript(dest, { follow: true, hash: true })}; ${statScript(posix.dirname(dest), { follow: true })}`);
    const [haveLine, parentLine] = r2.stdout.split('\n');
    const have = parseStat(haveLine ?? 'absent');
    result.path = dest;
    const attrs = { mode: p.mode, owner: p.owner, group: p.group };
    if (have.type === 'absent' && parseStat(parentLine ?? 'absent').type !== 'dir') {
      await dropFile();
      return { changed: false, failed: `Destination ${posix.dirname(dest)} does not exist`, result };
    }
    if (have.type !== 'file' && have.type !== 'absent') {
      await dropFile();
      return { changed: false, failed: `${dest} exists and is not a regular file`, result };
    }
    if (have.type === 'file' && have.sha256 === file[1]) {
      await dropFile();
      const fix = attrFix(dest, attrs, have);
      if (!fix.cmds.length) return { changed: false, note: `${dest} up to date`, result };
      return { changed: true, steps: [{ kind: 'exec', cmd: fix.cmds.join(' && ') }], note: fix.changes.join(', '), result };
    }
    const plan: Plan = { changed: true, steps: [installStep(file[2], dest, have, attrs)], note: `wrote ${dest}`, result };
    return plan;
  },
});
