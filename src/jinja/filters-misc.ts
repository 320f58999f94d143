// Ansible's string, path, encoding, hashing, math and time filters.
import { createHash, getHashes } from 'node:crypto';
import { homedir } from 'node:os';
import { bind, type FilterTable, REQUIRED, str } from './filters-util.js';
import { JinjaError, pyRepr, toNumber, truthy, tuple } from './values.js';

const SIZE_RANGES: [string, number][] = [
  ['Y', 2 ** 80],
  ['Z', 2 ** 70],
  ['E', 2 ** 60],
  ['P', 2 ** 50],
  ['T', 2 ** 40],
  ['G', 2 ** 30],
  ['M', 2 ** 20],
  ['K', 2 ** 10],
  ['B', 1],
];

function bytesToHuman(size: number, isbits: boolean, unit: unknown): string {
  const base = isbits ? 'bits' : 'Bytes';
  let [suffix, limit] = SIZE_RANGES[SIZE_RANGES.length - 1];
  for ([suffix, limit] of SIZE_RANGES) {
    if ((unit === null && size >= limit) || (unit !== null && str(unit).toUpperCase() === suffix[0])) break;
  }
  return `${(size / limit).toFixed(2)} ${limit !== 1 ? suffix + base[0] : base}`;
}

function humanToBytes(value: unknown, defaultUnit: unknown, isbits: boolean): number {
  const text = str(value);
  const m = /^\s*(\d*\.?\d*)\s*([A-Za-z]+)?/.exec(text)!;
  const n = m[1] === '' || m[1] === '.' ? Number.NaN : Number(m[1]);
  if (Number.isNaN(n)) throw new JinjaError(`human_to_bytes() can't interpret following string: ${text}`);
  const unit = m[2] ?? (defaultUnit === null ? undefined : str(defaultUnit));
  if (unit === undefined) return Math.round(n);
  const key = unit[0].toUpperCase();
  const limit = SIZE_RANGES.find(([s]) => s === key)?.[1];
  if (limit === undefined) {
    throw new JinjaError(
      `human_to_bytes() failed to convert ${text} (unit = ${unit}). The suffix must be one of ${SIZE_RANGES.map(([s]) => s).join(', ')}`,
    );
  }
  const [cls, clsName] = isbits ? ['b', 'bit'] : ['B', 'byte'];
  if (unit.length > 1 && !unit.toLowerCase().includes(clsName) && unit[1] !== cls) {
    const expect = key === 'B' ? `expect ${cls} or ${clsName}` : `expect ${key}${cls} or ${key}`;
    throw new JinjaError(`human_to_bytes() failed to convert ${text}. Value is not a valid string (${expect})`);
  }
  return Math.round(n * limit);
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** C strftime for the common directives (%Y %m %d %H %M %S %y %j %a %A %b %B %p %I %e %s %z %Z %F %T %D %%). */
function strftime(fmt: string, d: Date, utc: boolean): string {
  const g = utc
    ? {
        Y: d.getUTCFullYear(),
        m: d.getUTCMonth(),
        d: d.getUTCDate(),
        H: d.getUTCHours(),
        M: d.getUTCMinutes(),
        S: d.getUTCSeconds(),
        w: d.getUTCDay(),
      }
    : { Y: d.getFullYear(), m: d.getMonth(), d: d.getDate(), H: d.getHours(), M: d.getMinutes(), S: d.getSeconds(), w: d.getDay() };
  const p2 = (n: number) => String(n).padStart(2, '0');
  const off = utc ? 0 : -d.getTimezoneOffset();
  const yday = Math.floor((Date.UTC(g.Y, g.m, g.d) - Date.UTC(g.Y, 0, 1)) / 86400000) + 1;
  const map: Record<string, () => string> = {
    Y: () => String(g.Y),
    y: () => p2(g.Y % 100),
    m: () => p2(g.m + 1),
    d: () => p2(g.d),
    e: () => String(g.d).padStart(2, ' '),
    H: () => p2(g.H),
    I: () => p2(g.H % 12 || 12),
    M: () => p2(g.M),
    S: () => p2(g.S),
    p: () => (g.H < 12 ? 'AM' : 'PM'),
    j: () => String(yday).padStart(3, '0'),
    a: () => DAYS[g.w].slice(0, 3),
    A: () => DAYS[g.w],
    b: () => MONTHS[g.m].slice(0, 3),
    h: () => MONTHS[g.m].slice(0, 3),
    B: () => MONTHS[g.m],
    w: () => String(g.w),
    s: () => String(Math.floor(d.getTime() / 1000)),
    z: () => `${off < 0 ? '-' : '+'}${p2(Math.floor(Math.abs(off) / 60))}${p2(Math.abs(off) % 60)}`,
    Z: () =>
      utc
        ? 'UTC'
        : (Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
            .formatToParts(d)
            .find((x) => x.type === 'timeZoneName')?.value ?? ''),
    F: () => `${g.Y}-${p2(g.m + 1)}-${p2(g.d)}`,
    T: () => `${p2(g.H)}:${p2(g.M)}:${p2(g.S)}`,
    D: () => `${p2(g.m + 1)}/${p2(g.d)}/${p2(g.Y % 100)}`,
    '%': () => '%',
  };
  return fmt.replace(/%(.)/g, (m, c: string) => map[c]?.() ?? m);
}

/** RFC 4122 name-based UUID (version 5), as Python's uuid.uuid5. */
function uuid5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1')
    .update(Buffer.concat([ns, Buffer.from(name, 'utf8')]))
    .digest()
    .subarray(0, 16);
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function urlsplit(url: string): Record<string, unknown> {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(url)!;
  const netloc = m[2] ?? '';
  const at = netloc.lastIndexOf('@');
  const userinfo = at >= 0 ? netloc.slice(0, at) : null;
  const hostport = at >= 0 ? netloc.slice(at + 1) : netloc;
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  const host = hp?.[1].replace(/^\[|\]$/g, '').toLowerCase() || null;
  const colon = userinfo?.indexOf(':') ?? -1;
  return {
    fragment: m[5] ?? '',
    hostname: host,
    netloc,
    password: userinfo !== null && colon >= 0 ? userinfo.slice(colon + 1) : null,
    path: m[3],
    port: hp?.[2] ? Number(hp[2]) : null,
    query: m[4] ?? '',
    scheme: (m[1] ?? '').toLowerCase(),
    username: userinfo === null ? null : colon >= 0 ? userinfo.slice(0, colon) : userinfo,
  };
}

const COMMENT_STYLES: Record<string, Record<string, string>> = {
  plain: { decoration: '# ' },
  erlang: { decoration: '% ' },
  c: { decoration: '// ' },
  cblock: { beginning: '/*', decoration: ' * ', end: ' */' },
  xml: { beginning: '<!--', decoration: ' - ', end: '-->' },
};

function comment(text: string, style: string, kw: Record<string, unknown>): string {
  const st = COMMENT_STYLES[style];
  if (!st) throw new JinjaError(`comment: unknown style ${pyRepr(style)}`);
  const pp = str(kw.decoration ?? st.decoration).trimEnd();
  const p: Record<string, unknown> = {
    newline: '\n',
    beginning: '',
    prefix: pp,
    prefix_count: 1,
    decoration: '',
    postfix: pp,
    postfix_count: 1,
    end: '',
    ...st,
    ...kw,
  };
  const [nl, deco] = [str(p.newline), str(p.decoration)];
  const beginning = p.beginning ? str(p.beginning) + nl : '';
  const prefix = p.prefix ? (p.prefix !== nl ? str(p.prefix) + nl : nl).repeat(Number(p.prefix_count)) : '';
  const body = (deco + text.split(nl).join(nl + deco)).split(deco + nl).join(deco.trimEnd() + nl);
  const postfix = ['', ...Array(Number(p.postfix_count)).fill(str(p.postfix))].join(nl);
  const end = p.end ? nl + str(p.end) : '';
  return beginning + prefix + body + postfix + end;
}

/** Python str.split(sep=None, maxsplit=-1). */
export function pySplit(s: string, sep: unknown, maxsplit: number): string[] {
  if (sep === null || sep === undefined) {
    const out: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest) {
      if (maxsplit >= 0 && out.length >= maxsplit) {
        out.push(rest);
        break;
      }
      const m = /\s+/.exec(rest);
      out.push(m ? rest.slice(0, m.index) : rest);
      rest = m ? rest.slice(m.index + m[0].length) : '';
    }
    return out;
  }
  const d = str(sep);
  if (d === '') throw new JinjaError('empty separator');
  const parts = s.split(d);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(d)];
}

function math(fn: string, v: unknown): number {
  const n = typeof v === 'number' ? v : toNumber(v);
  if (n === undefined)
    throw new JinjaError(`${fn}() can only be used on numbers: must be real number, not ${typeof v === 'string' ? 'str' : 'other'}`);
  return n;
}

/** The misc filters by name. */
export const MISC_FILTERS: FilterTable = {
  bool: (_e, v) => {
    if (v === null || typeof v === 'boolean') return v;
    const x = typeof v === 'string' ? v.toLowerCase() : v;
    return ['yes', 'on', '1', 'true', 'y'].includes(x as string) || x === 1;
  },
  basename: (_e, v) => str(v).slice(str(v).lastIndexOf('/') + 1),
  dirname: (_e, v) => {
    const s = str(v);
    const i = s.lastIndexOf('/') + 1;
    const head = s.slice(0, i);
    return head && head !== '/'.repeat(head.length) ? head.replace(/\/+$/, '') : head;
  },
  expanduser: (_e, v) => str(v).replace(/^~(?=\/|$)/, process.env.HOME || homedir()),
  splitext: (_e, v) => {
    const s = str(v);
    const base = s.slice(s.lastIndexOf('/') + 1);
    const dot = base.lastIndexOf('.');
    if (dot <= 0 || /^\.+$/.test(base.slice(0, dot + 1))) return tuple([s, '']);
    const cut = s.length - base.length + dot;
    return tuple([s.slice(0, cut), s.slice(cut)]);
  },
  path_join: (_e, v) => {
    const parts = Array.isArray(v) ? v.map(str) : [str(v)];
    return parts.reduce((a, b) => (b.startsWith('/') || a === '' ? b : a.endsWith('/') ? a + b : `${a}/${b}`), '');
  },
  quote: (_e, v) => {
    const s = v === null ? '' : str(v);
    if (s === '') return "''";
    if (!/[^\w@%+=:,./-]/.test(s)) return s;
    return `'${s.replace(/'/g, `'"'"'`)}'`;
  },
  b64encode: (_e, v, args, kw) =>
    Buffer.from(str(v), bind('b64encode', args, kw, { encoding: 'utf-8' }).encoding === 'utf-16-le' ? 'utf16le' : 'utf8').toString(
      'base64',
    ),
  b64decode: (_e, v, args, kw) =>
    Buffer.from(str(v), 'base64').toString(
      bind('b64decode', args, kw, { encoding: 'utf-8' }).encoding === 'utf-16-le' ? 'utf16le' : 'utf8',
    ),
  hash: (_e, v, args, kw) => {
    const type = str(bind('hash', args, kw, { hashtype: 'sha1' }).hashtype);
    if (!getHashes().includes(type)) throw new JinjaError(`unsupported hash type ${type}`);
    return createHash(type).update(str(v), 'utf8').digest('hex');
  },
  checksum: (_e, v) => createHash('sha1').update(str(v), 'utf8').digest('hex'),
  sha1: (_e, v) => createHash('sha1').update(str(v), 'utf8').digest('hex'),
  md5: (_e, v) => createHash('md5').update(str(v), 'utf8').digest('hex'),
  to_uuid: (_e, v, args, kw) =>
    uuid5(str(bind('to_uuid', args, kw, { namespace: '361E6D51-FAEC-444A-9079-341386DA8E2E' }).namespace), str(v)),
  human_readable: (_e, v, args, kw) => {
    const p = bind('human_readable', args, kw, { isbits: false, unit: null });
    const n = toNumber(v);
    if (n === undefined) throw new JinjaError(`human_readable() failed on bad input: ${str(v)}`);
    return bytesToHuman(n, truthy(p.isbits), p.unit);
  },
  human_to_bytes: (_e, v, args, kw) => {
    const p = bind('human_to_bytes', args, kw, { default_unit: null, isbits: false });
    return humanToBytes(v, p.default_unit, truthy(p.isbits));
  },
  strftime: (_e, v, args, kw) => {
    const p = bind('strftime', args, kw, { second: null, utc: false });
    const d = p.second === null ? new Date() : new Date(math('strftime', p.second) * 1000);
    if (Number.isNaN(d.getTime())) throw new JinjaError(`Invalid value for epoch value (${str(p.second)})`);
    return strftime(str(v), d, truthy(p.utc));
  },
  log: (_e, v, args, kw) => {
    const base = bind('log', args, kw, { base: Math.E }).base;
    const x = math('log', v);
    return base === 10 ? Math.log10(x) : Math.log(x) / Math.log(math('log', base));
  },
  pow: (_e, v, args, kw) => math('pow', v) ** math('pow', bind('pow', args, kw, { y: REQUIRED }).y),
  root: (_e, v, args, kw) => {
    const base = math('root', bind('root', args, kw, { base: 2 }).base);
    return base === 2 ? Math.sqrt(math('root', v)) : math('root', v) ** (1 / base);
  },
  urlsplit: (_e, v, args, kw) => {
    const q = bind('urlsplit', args, kw, { query: '' }).query;
    const r = urlsplit(str(v));
    if (!q) return r;
    if (!Object.hasOwn(r, str(q))) throw new JinjaError(`urlsplit: unknown URL component: ${str(q)}`);
    return r[str(q)];
  },
  urldecode: (_e, v) => decodeURIComponent(str(v).replace(/\+/g, ' ')),
  comment: (_e, v, args, kw) => {
    const { style = 'plain', ...rest } = { ...(args.length ? { style: args[0] } : {}), ...kw };
    return comment(str(v), str(style), rest);
  },
  split: (_e, v, args, kw) => {
    const p = bind('split', args, kw, { sep: null, maxsplit: -1 });
    return pySplit(str(v), p.sep, Number(p.maxsplit));
  },
};
