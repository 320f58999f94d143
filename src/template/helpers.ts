// The template vocabulary: what a config template may call besides plain variables.
import type { HelperDelegate, HelperOptions } from 'handlebars';
import { NET_FILTERS } from '../jinja/filters-net.js';
import { JinjaError } from '../jinja/values.js';
import { deepEqual, truthy, typeName } from '../shared/values.js';
import { CHECK_HELPER, MissingVariable } from './strict.js';

/** Thrown by a helper on bad input; the renderer adds file, host and line. */
export class HelperFailure extends Error {
  constructor(
    readonly helper: string,
    message: string,
    readonly line: number | undefined,
  ) {
    super(`${helper}: ${message}`);
  }
}

type Fn = (args: unknown[], fail: (msg: string) => never) => unknown;

/** Wraps a plain function as a helper: drops Handlebars' options argument, gives it a `fail`. */
function helper(name: string, fn: Fn): HelperDelegate {
  return function (this: unknown, ...all: unknown[]) {
    const opts = all.pop() as HelperOptions & { loc?: { start: { line: number } } };
    const fail = (msg: string): never => {
      throw new HelperFailure(name, msg, opts.loc?.start.line);
    };
    return fn(all, fail);
  };
}

/**
 * A filter of the shared table (src/jinja/filters-net.ts) as a helper: `{{host_addr net 1}}` is `{{ net | host_addr(1) }}`,
 * so the CIDR helpers mean the same in a .hbs and a .j2.
 */
function fromFilter(name: string): HelperDelegate {
  return helper(name, ([value, ...rest], fail) => {
    try {
      return NET_FILTERS[name](undefined as never, value, rest, {});
    } catch (e) {
      if (e instanceof JinjaError) return fail(e.message.replace(`${name}: `, ''));
      throw e;
    }
  });
}

function list(v: unknown, fail: (m: string) => never): unknown[] {
  if (Array.isArray(v)) return v;
  return fail(`expected a list, got ${typeName(v)}`);
}

function text(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

const compare = (name: string, test: (a: never, b: never) => boolean) => helper(name, ([a, b]) => test(a as never, b as never));

/** Every helper by name; render.ts registers them on a private Handlebars environment. */
export const HELPERS: Record<string, HelperDelegate> = {
  [CHECK_HELPER]: (name: unknown, line: unknown, value: unknown) => {
    if (value === undefined) throw new MissingVariable(String(name), Number(line) || undefined);
    return value;
  },
  json: helper('json', ([v, indent]) => JSON.stringify(v, null, typeof indent === 'number' ? indent : undefined)),
  default: helper('default', ([v, fallback]) => (v === undefined || v === null ? fallback : v)),
  join: helper('join', ([v, sep], fail) =>
    list(v, fail)
      .map(text)
      .join(sep === undefined ? ',' : text(sep)),
  ),
  eq: helper('eq', ([a, b]) => deepEqual(a, b)),
  ne: helper('ne', ([a, b]) => !deepEqual(a, b)),
  lt: compare('lt', (a, b) => a < b),
  le: compare('le', (a, b) => a <= b),
  gt: compare('gt', (a, b) => a > b),
  ge: compare('ge', (a, b) => a >= b),
  and: helper('and', (args) => args.every(truthy)),
  or: helper('or', (args) => args.find(truthy) ?? args[args.length - 1]),
  not: helper('not', ([v]) => !truthy(v)),
  upper: helper('upper', ([v]) => text(v).toUpperCase()),
  lower: helper('lower', ([v]) => text(v).toLowerCase()),
  indent: helper('indent', ([v, n], fail) => {
    if (typeof n !== 'number' || n < 0) return fail(`expected a number of spaces, got ${JSON.stringify(n)}`);
    const pad = ' '.repeat(n);
    return text(v)
      .split('\n')
      .map((l, i) => (i === 0 || l === '' ? l : pad + l))
      .join('\n');
  }),
  address: fromFilter('address'),
  network: fromFilter('network'),
  prefix: fromFilter('prefix'),
  netmask: fromFilter('netmask'),
  broadcast: fromFilter('broadcast'),
  cidr_network: fromFilter('cidr_network'),
  // `{{json (merge docker_daemon_options (object bridge="br0")) 2}}`: later maps win, key by key.
  merge: helper('merge', (maps, fail) =>
    Object.assign(
      {},
      ...maps.map((m) => {
        if (m === undefined || m === null) return {};
        if (typeof m !== 'object' || Array.isArray(m)) return fail(`expected maps, got ${typeName(m)}`);
        return m;
      }),
    ),
  ),
  object: function (this: unknown, opts: HelperOptions) {
    return { ...(opts.hash as Record<string, unknown>) };
  },
  // Another host's variable: `{{hostvar peer "ansible_host"}}` (peers in a mesh).
  hostvar: function (this: unknown, host: unknown, key: unknown, opts: HelperOptions & { loc?: { start: { line: number } } }) {
    const hv = (opts.data?.root as Record<string, unknown> | undefined)?.hostvars as Record<string, Record<string, unknown>> | undefined;
    const vars = hv?.[String(host)];
    if (!vars) throw new HelperFailure('hostvar', `no host "${text(host)}" in the inventory`, opts.loc?.start.line);
    const v = vars[String(key)];
    if (v === undefined) throw new HelperFailure('hostvar', `host "${text(host)}" has no variable "${text(key)}"`, opts.loc?.start.line);
    return v;
  },
  ip_hex: fromFilter('ip_hex'),
  host_addr: fromFilter('host_addr'),
};
