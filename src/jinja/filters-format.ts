// Python's number rounding and %-formatting, which the round and format filters must reproduce digit for digit.
import { isMapping, JinjaError, pyRepr, pyStr, pyType } from './values.js';

/** The exact value of a finite double as sign, BigInt mantissa and binary exponent (x = ±m·2^e). */
function decompose(x: number): { neg: boolean; m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp !== 0) m |= 1n << 52n;
  return { neg: hi >>> 31 === 1, m, e: (exp === 0 ? 1 : exp) - 1075 };
}

/** Python round(x, ndigits): round-half-even on the exact binary value, so round(2.5) is 2 and round(2.675, 2) is 2.67. */
export function pyRound(x: number, ndigits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const { neg, m, e } = decompose(x);
  let num = m;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  if (ndigits >= 0) num *= 10n ** BigInt(ndigits);
  else den *= 10n ** BigInt(-ndigits);
  let q = num / den;
  const r2 = (num - q * den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  const out = Number(`${q}e${-ndigits}`);
  return neg ? -out : out;
}

const SPEC = /%(?:\(([^)]*)\))?([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d+))?([diouxXeEfFgGcrsa%])/g;

/** Python's %-formatting (`'%-5s|%05.1f' % args`): s r a d i o u x X e E f F g G c and %%, named or positional. */
export function percentFormat(fmt: string, args: unknown[], named: Record<string, unknown> | undefined): string {
  let next = 0;
  const take = (): unknown => {
    if (next >= args.length) throw new JinjaError('not enough arguments for format string');
    return args[next++];
  };
  const out = fmt.replace(
    SPEC,
    (whole, name: string | undefined, flags: string, width: string | undefined, prec: string | undefined, type: string) => {
      if (type === '%' && whole === '%%') return '%';
      let value: unknown;
      if (name !== undefined) {
        if (!named) throw new JinjaError('format requires a mapping');
        if (!Object.hasOwn(named, name)) throw new JinjaError(`KeyError: '${name}'`);
        value = named[name];
      }
      const w = width === '*' ? Number(take()) : width === undefined ? 0 : Number(width);
      const p = prec === '*' ? Number(take()) : prec === undefined ? undefined : Number(prec);
      if (name === undefined && type !== '%') value = take();
      return pad(convert(type, value, flags, p), w, flags, type);
    },
  );
  if (!named && next < args.length) throw new JinjaError('not all arguments converted during string formatting');
  return out;
}

function numberArg(type: string, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const what = 'diouxX'.includes(type) ? 'a real number is required' : 'must be real number';
  throw new JinjaError(`%${type} format: ${what}, not ${pyType(v)}`);
}

function sign(n: number, flags: string): string {
  if (n < 0 || Object.is(n, -0)) return '-';
  return flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
}

function expo(n: number, p: number, upper: boolean): string {
  const [mant, ex] = n.toExponential(p).split('e');
  const e = Number(ex);
  const s = `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return upper ? s.toUpperCase() : s;
}

function convert(type: string, v: unknown, flags: string, p: number | undefined): string {
  switch (type) {
    case 's':
      return p === undefined ? pyStr(v) : pyStr(v).slice(0, p);
    case 'r':
    case 'a':
      return p === undefined ? pyRepr(v) : pyRepr(v).slice(0, p);
    case 'c':
      return typeof v === 'number' ? String.fromCodePoint(v) : pyStr(v);
    case '%':
      return '%';
  }
  const n = numberArg(type, v);
  const a = Math.abs(n);
  let body: string;
  if ('diu'.includes(type)) body = String(Math.trunc(a));
  else if ('xXo'.includes(type)) {
    body = Math.trunc(a).toString(type === 'o' ? 8 : 16);
    if (flags.includes('#')) body = (type === 'o' ? '0o' : '0x') + body;
    if (type === 'X') body = body.toUpperCase();
  } else if ('fF'.includes(type)) body = Number.isFinite(a) ? a.toFixed(p ?? 6) : a > 0 ? 'inf' : 'nan';
  else if ('eE'.includes(type)) body = expo(a, p ?? 6, type === 'E');
  else {
    const prec = p === 0 ? 1 : (p ?? 6);
    const ex = a === 0 ? 0 : Math.floor(Math.log10(a));
    body = ex < -4 || ex >= prec ? expo(a, prec - 1, type === 'G') : a.toFixed(Math.max(prec - 1 - ex, 0));
    if (!flags.includes('#') && body.includes('.')) body = body.replace(/\.?0+(?=$|e)/i, '');
  }
  return sign(n, flags) + body;
}

function pad(s: string, width: number, flags: string, type: string): string {
  if (s.length >= width) return s;
  if (flags.includes('-')) return s.padEnd(width);
  if (flags.includes('0') && !'srac'.includes(type)) {
    const m = /^([-+ ]?(?:0[xo])?)(.*)$/.exec(s)!;
    return m[1] + m[2].padStart(width - m[1].length, '0');
  }
  return s.padStart(width);
}

/** format(): Jinja2 passes kwargs as the mapping, else the positional tuple; a lone dict argument also serves as the mapping. */
export function formatArgs(args: unknown[], kw: Record<string, unknown>): [unknown[], Record<string, unknown> | undefined] {
  if (args.length && Object.keys(kw).length) throw new JinjaError("can't handle positional and keyword arguments at the same time");
  if (Object.keys(kw).length) return [[], kw];
  if (args.length === 1 && isMapping(args[0])) return [args, args[0]];
  return [args, undefined];
}
