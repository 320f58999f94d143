// Waits on the host for a port to open, close or drain, or a file to appear (with a regex) or go: one bounded loop.
import { quote } from '../../remote/quote.js';
import { fail, isTemplated } from '../args.js';
import { defineModule } from '../types.js';

const STATES = ['started', 'stopped', 'present', 'absent', 'drained'] as const;

export interface WaitForArgs {
  host: string;
  port?: number;
  path?: string;
  state: (typeof STATES)[number];
  searchRegex?: string;
  delay: number;
  timeout: number;
  sleep: number;
  connectTimeout: number;
  msg?: string;
}

/** The check one round of the loop makes; exit 0 means the wait is over. */
function condition(p: WaitForArgs): string {
  const tcp = p.port !== undefined ? quote(`/dev/tcp/${p.host}/${p.port}`) : '';
  const ct = String(p.connectTimeout);
  if (p.port !== undefined) {
    const open = `timeout ${ct} bash -c ${quote(`exec 3<>${tcp}`)} 2>/dev/null`;
    switch (p.state) {
      case 'stopped':
      case 'absent':
        return `! ${open}`;
      case 'drained':
        return `[ -z "$(ss -Htn state established ${quote(`( sport = :${p.port} )`)} 2>/dev/null)" ]`;
      default:
        return p.searchRegex !== undefined
          ? `timeout ${ct} bash -c ${quote(`cat <${tcp}`)} 2>/dev/null | grep -qP -- ${quote(p.searchRegex)}`
          : open;
    }
  }
  if (p.path !== undefined) {
    const f = quote(p.path);
    if (p.state === 'absent' || p.state === 'stopped') return `[ ! -e ${f} ]`;
    return p.searchRegex !== undefined ? `[ -f ${f} ] && grep -qPz -- ${quote(`(?m)${p.searchRegex}`)} ${f}` : `[ -e ${f} ]`;
  }
  return 'false';
}

/** The whole wait as one command: prints "ok <ms>" or "timeout <ms>". */
export function waitScript(p: WaitForArgs): string {
  const body = [
    's0=$(date +%s%N)',
    `sleep ${p.delay}`,
    `end=$(( s0 / 1000000000 + ${p.timeout} ))`,
    'ms() { echo $(( ($(date +%s%N) - s0) / 1000000 )); }',
    'while :; do',
    `  if ${condition(p)}; then echo "ok $(ms)"; exit 0; fi`,
    `  [ "$(date +%s)" -ge "$end" ] && { echo "timeout $(ms)"; exit 0; }`,
    `  sleep ${p.sleep}`,
    'done',
  ];
  return `bash -c ${quote(body.join('\n'))}`;
}

/** Python's re syntax for the controller-side match: named groups (?P<n>…) become JS's (?<n>…). */
export function jsRegex(re: string): RegExp {
  return new RegExp(re.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'), 'm');
}

function timeoutMsg(p: WaitForArgs): string {
  if (p.msg) return p.msg;
  if (p.port !== undefined) {
    if (p.state === 'stopped' || p.state === 'absent') return `Timeout when waiting for ${p.host}:${p.port} to stop.`;
    if (p.state === 'drained') return `Timeout when waiting for ${p.host}:${p.port} to drain`;
    return p.searchRegex !== undefined
      ? `Timeout when waiting for search string ${p.searchRegex} in ${p.host}:${p.port}`
      : `Timeout when waiting for ${p.host}:${p.port}`;
  }
  if (p.state === 'absent' || p.state === 'stopped') return `Timeout when waiting for ${p.path} to be absent.`;
  return p.searchRegex !== undefined
    ? `Timeout when waiting for search string ${p.searchRegex} in ${p.path}`
    : `Timeout when waiting for file ${p.path}`;
}

/** Ansible's wait_for, polled on the host by one shell loop bounded by timeout. */
export const wait_for = defineModule({
  name: 'wait_for',
  doc: 'Waits on the host for a port to open, close or drain, or a file to appear (with a regex) or go: one bounded loop.',
  example: 'wait_for: {host: 127.0.0.1, port: 8080, state: started, timeout: 60}',
  args: {
    host: { default: '127.0.0.1', description: 'address or name to connect to, from the host' },
    port: { type: 'int', description: 'TCP port to wait for' },
    path: { type: 'path', description: 'file on the host to wait for (or for its removal)' },
    state: {
      choices: STATES,
      default: 'started',
      description:
        'started/present: port open or file there; stopped/absent: port closed or file gone; drained: no established connection on port',
    },
    search_regex: {
      description: 'with path or port (started/present): wait until this (Python/PCRE) regex matches the file or what the port sends',
    },
    delay: { type: 'int', default: 0, description: 'seconds to sleep before the first check' },
    timeout: { type: 'int', default: 300, description: 'seconds to wait in all (the delay included)' },
    sleep: { type: 'int', default: 1, description: 'seconds between checks' },
    connect_timeout: { type: 'int', default: 5, description: 'seconds one connection attempt may take' },
    msg: { description: 'message on timeout instead of the usual one' },
    active_connection_states: { type: 'list', description: 'accepted for compatibility: drained counts ESTABLISHED connections' },
    exclude_hosts: { type: 'list', description: 'not supported with drained (refused when given)' },
  },
  mutually_exclusive: [['port', 'path']],
  build(v, a): WaitForArgs {
    if (v.exclude_hosts !== undefined) fail(a, 'exclude_hosts is not supported', 'drained counts every established connection on the port');
    const p: WaitForArgs = {
      host: v.host,
      port: v.port,
      path: v.path,
      state: v.state as WaitForArgs['state'],
      searchRegex: v.search_regex,
      delay: v.delay,
      timeout: v.timeout,
      sleep: v.sleep,
      connectTimeout: v.connect_timeout,
      msg: v.msg,
    };
    if (!isTemplated(v.state)) {
      if (p.path !== undefined && p.state === 'drained')
        fail(a, 'state=drained should only be used for checking a port in the wait_for module');
      if (p.state === 'drained' && p.port === undefined) fail(a, 'state=drained needs port');
      if (p.searchRegex !== undefined && (p.state === 'absent' || p.state === 'stopped' || p.state === 'drained'))
        fail(a, `search_regex is only used with state started or present (not ${p.state})`);
    }
    if (!isTemplated(p.host) && !/^[A-Za-z0-9.:_-]+$/.test(p.host))
      fail(a, `host ${JSON.stringify(p.host)} is not an address or host name`);
    if (p.searchRegex !== undefined && !isTemplated(p.searchRegex)) {
      try {
        jsRegex(p.searchRegex);
      } catch (e) {
        fail(a, `search_regex does not compile: ${(e as Error).message}`);
      }
    }
    return p;
  },
  atTurn: true,
  async plan(p, probe) {
    const r = await probe.run(waitScript(p));
    const m = /^(ok|timeout) (\d+)/m.exec(r.stdout);
    if (!m) return { changed: false, failed: `wait_for: the wait did not run: ${r.stderr.trim() || `exit ${r.code}`}` };
    const elapsed = Math.floor(Number(m[2]) / 1000);
    const result: Record<string, unknown> = { elapsed, state: p.state };
    if (p.port !== undefined) Object.assign(result, { port: p.port, search_regex: p.searchRegex ?? null });
    if (p.path !== undefined) Object.assign(result, { path: p.path, search_regex: p.searchRegex ?? null });
    if (m[1] === 'timeout' && (p.port !== undefined || p.path !== undefined)) return { changed: false, failed: timeoutMsg(p), result };
    if (p.searchRegex !== undefined && p.path !== undefined) {
      const text = (await probe.readFile(p.path))?.toString('utf8') ?? '';
      const hit = jsRegex(p.searchRegex).exec(text);
      result.match_groups = hit ? hit.slice(1).map((g) => g ?? null) : [];
      result.match_groupdict = hit?.groups ? { ...hit.groups } : {};
    }
    return { changed: false, note: `waited ${elapsed}s`, result };
  },
});
