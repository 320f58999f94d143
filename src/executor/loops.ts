// `with_<lookup>:` loops: the lookup's terms (already rendered for the host) turned into items as Ansible's lookup
// plugins do (items, list, dict, together, nested, cartesian, subelements, sequence, fileglob, first_found,
// indexed_items); controller files are searched like the task's other files (role files/, the playbook's files/).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { type Location, RunbookError } from '../errors.js';
import type { WithLookup } from '../playbook/keywords.js';
import { hostsFromGroups } from '../inventory/select.js';
import { parseKv } from '../playbook/kv.js';

export interface LookupContext {
  at: Location;
  /** The playbook's folder. */
  baseDir: string;
  /** The task's role folder, searched first. */
  roleDir?: string;
  /** The `groups` variable, for with_inventory_hostnames. */
  groups?: unknown;
}

function fail(ctx: LookupContext, lookup: string, msg: string, hint: string): never {
  throw new RunbookError(`with_${lookup}: ${msg}`, { at: ctx.at, hint });
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

// Ansible's listify_lookup_plugin_terms: a string is one term.
const listify = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

// LookupBase._flatten: one level.
function flatten1(xs: unknown[]): unknown[] {
  return xs.flatMap((x) => (Array.isArray(x) ? x : [x]));
}

/** The items of a `with_<lookup>` loop from its rendered terms. */
export function expandLookup(lookup: WithLookup, terms: unknown, ctx: LookupContext): unknown[] {
  switch (lookup) {
    case 'items':
      return flatten1(listify(terms));
    case 'list':
      return listify(terms);
    case 'indexed_items':
      return flatten1(listify(terms)).map((x, i) => [i, x]);
    case 'dict':
      return dictItems(terms, ctx);
    case 'together':
      return together(listOfLists(terms, 'together', ctx));
    case 'nested':
    case 'cartesian':
      return product(listOfLists(terms, lookup, ctx));
    case 'subelements':
      return subelements(terms, ctx);
    case 'sequence':
      return listify(terms).flatMap((t) => sequence(String(t), ctx));
    case 'fileglob':
      return listify(terms).flatMap((t) => fileglob(String(t), ctx));
    case 'first_found':
      return firstFound(terms, ctx);
    case 'file':
      return flatten1(listify(terms)).map((t) => fileItem(String(t), ctx));
    case 'inventory_hostnames':
      return hostsFromGroups(ctx.groups, flatten1(listify(terms)).map(String));
  }
}

/** with_file: each file's content, its trailing whitespace stripped, as Ansible's file lookup gives it. */
function fileItem(term: string, ctx: LookupContext): string {
  const path = isAbsolute(term)
    ? term
    : filesDirs(ctx)
        .map((d) => join(d, term))
        .find((p) => existsSync(p) && statSync(p).isFile());
  if (!path || !existsSync(path))
    fail(ctx, 'file', `could not find "${term}"`, "put it in files/ beside the playbook (or the role's files/)");
  return readFileSync(path, 'utf8').replace(/\s+$/, '');
}

function dictItems(terms: unknown, ctx: LookupContext): unknown[] {
  const dicts = Array.isArray(terms) ? terms : [terms];
  return dicts.flatMap((d) => {
    if (!isMap(d))
      fail(ctx, 'dict', `expects a dict, got ${JSON.stringify(d)?.slice(0, 60)}`, 'give it a map, e.g. with_dict: "{{ users }}"');
    return Object.entries(d).map(([key, value]) => ({ key, value }));
  });
}

function listOfLists(terms: unknown, lookup: string, ctx: LookupContext): unknown[][] {
  const lists = listify(terms).map((t) => listify(t));
  if (!lists.length) fail(ctx, lookup, 'needs at least one list', `with_${lookup}: [ "{{ a }}", "{{ b }}" ]`);
  return lists;
}

// zip_longest with None, each tuple flattened one level.
function together(lists: unknown[][]): unknown[] {
  const n = Math.max(...lists.map((l) => l.length));
  return Array.from({ length: n }, (_, i) => flatten1(lists.map((l) => (i < l.length ? l[i] : null))));
}

// The cartesian product, each combination flattened one level (lists inside the first list are spread).
function product(lists: unknown[][]): unknown[] {
  let out: unknown[][] = [[]];
  for (const l of lists) out = out.flatMap((combo) => l.map((x) => [...combo, x]));
  return out.map((c) => flatten1(c));
}

// [list or dict, "key.path", { skip_missing }] → [element, subitem] for each subitem of each element.
function subelements(terms: unknown, ctx: LookupContext): unknown[] {
  const t = listify(terms);
  const hint = 'with_subelements: [ "{{ users }}", authorized_keys ] (optionally a third term { skip_missing: true })';
  if (t.length < 2 || t.length > 3 || typeof t[1] !== 'string')
    fail(ctx, 'subelements', 'expects a list (or dict), a key and optional flags', hint);
  const flags = t[2] ?? {};
  if (!isMap(flags)) fail(ctx, 'subelements', 'the third term must be a map of flags', hint);
  for (const k of Object.keys(flags))
    if (k !== 'skip_missing') fail(ctx, 'subelements', `unknown flag "${k}"`, 'the only flag is skip_missing');
  const skipMissing =
    flags.skip_missing === true || (typeof flags.skip_missing === 'string' && /^(yes|true|on|1)$/i.test(flags.skip_missing));
  const elements = isMap(t[0]) ? Object.values(t[0]) : t[0];
  if (!Array.isArray(elements)) fail(ctx, 'subelements', 'the first term must be a list or a dict', hint);
  const path = (t[1] as string).split('.');
  const out: unknown[] = [];
  for (const el of elements) {
    if (!isMap(el))
      fail(ctx, 'subelements', `an element is not a map: ${JSON.stringify(el)?.slice(0, 60)}`, 'the first term must be a list of maps');
    if (el.skipped === true) continue;
    let sub: unknown = el;
    let missing = false;
    for (const [i, key] of path.entries()) {
      if (!isMap(sub) || !Object.hasOwn(sub, key)) {
        if (skipMissing) missing = true;
        else
          fail(
            ctx,
            'subelements',
            `could not find "${path.slice(0, i + 1).join('.')}" in an element`,
            'add it to every element, or pass { skip_missing: true }',
          );
        break;
      }
      sub = sub[key];
    }
    if (missing) continue;
    if (!Array.isArray(sub)) fail(ctx, 'subelements', `"${t[1]}" of an element is not a list`, 'the key must name a list in every element');
    for (const s of sub) out.push([el, s]);
  }
  return out;
}

// Python int(x, 0): decimal, 0x hex, 0o octal, 0b binary.
function pyInt(s: string, ctx: LookupContext, what: string): number {
  const t = s.trim().toLowerCase();
  const neg = t.startsWith('-');
  const body = neg || t.startsWith('+') ? t.slice(1) : t;
  let n: number;
  if (/^0x[0-9a-f]+$/.test(body)) n = Number.parseInt(body.slice(2), 16);
  else if (/^0o[0-7]+$/.test(body)) n = Number.parseInt(body.slice(2), 8);
  else if (/^0b[01]+$/.test(body)) n = Number.parseInt(body.slice(2), 2);
  else if (/^(0|[1-9][0-9]*)$/.test(body)) n = Number(body);
  else return fail(ctx, 'sequence', `can't parse ${what}=${s} as integer`, 'give whole numbers, e.g. with_sequence: start=1 end=10');
  return neg ? -n : n;
}

// Python's "%d"/"%02d"/"%x"… applied to one integer.
function pyFormat(fmt: string, n: number, ctx: LookupContext): string {
  if ((fmt.match(/%/g) ?? []).length !== 1)
    fail(ctx, 'sequence', `bad formatting string: ${fmt}`, 'format takes one %d-style field, e.g. format=host%02d');
  return fmt.replace(/%([-0 +#]*)(\d*)([dixXo])/, (_, flags: string, width: string, conv: string) => {
    let s = Math.abs(n).toString(conv === 'x' || conv === 'X' ? 16 : conv === 'o' ? 8 : 10);
    if (conv === 'X') s = s.toUpperCase();
    const sign = n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
    const w = Number(width || 0);
    if (flags.includes('-')) return (sign + s).padEnd(w);
    if (flags.includes('0')) return sign + s.padStart(Math.max(0, w - sign.length), '0');
    return (sign + s).padStart(w);
  });
}

const SHORTCUT = /^(?:(0?x?[0-9a-f]+)-)?(0?x?[0-9a-f]+)(?:\/(0?x?[0-9a-f]+))?(?::(.+))?$/i;

// Ansible's sequence lookup: "start=1 end=10 stride=2 format=x%02d", "count=5", or the shortcut "[start-]end[/stride][:format]".
export function sequence(term: string, ctx: LookupContext): string[] {
  let start = 1;
  let end: number | undefined;
  let count: number | undefined;
  let stride = 1;
  let format = '%d';
  const kv = parseKv(term);
  const keys = Object.keys(kv).filter((k) => k !== '_raw_params');
  if (keys.length) {
    for (const [k, v] of Object.entries(kv)) {
      if (k === 'start') start = pyInt(v, ctx, k);
      else if (k === 'end') end = pyInt(v, ctx, k);
      else if (k === 'count') count = pyInt(v, ctx, k);
      else if (k === 'stride') stride = pyInt(v, ctx, k);
      else if (k === 'format') format = v;
      else fail(ctx, 'sequence', `unrecognized arguments to with_sequence: ${k}`, 'it takes start, end, count, stride and format');
    }
  } else {
    const m = SHORTCUT.exec(term.trim());
    if (!m) fail(ctx, 'sequence', `unknown argument "${term}"`, 'write start=1 end=10 (or the shortcut 1-10/2:host%02d)');
    const [, s, e, st, f] = m;
    if (s !== undefined) start = pyInt(s, ctx, 'start');
    end = pyInt(e, ctx, 'end');
    if (st !== undefined) stride = pyInt(st, ctx, 'stride');
    if (f !== undefined) format = f;
  }
  if (count === undefined && end === undefined) fail(ctx, 'sequence', 'must specify count or end', 'add end=N or count=N');
  if (count !== undefined && end !== undefined) fail(ctx, 'sequence', "can't specify both count and end", 'keep one of them');
  if (count !== undefined) {
    if (count === 0) return [];
    end = start + count * stride - 1;
  }
  const last = end as number;
  if (stride > 0 && last < start) fail(ctx, 'sequence', 'to count backwards make stride negative', 'e.g. start=10 end=1 stride=-1');
  if (stride < 0 && last > start) fail(ctx, 'sequence', "to count forward don't make stride negative", 'e.g. start=1 end=10 stride=1');
  if (stride === 0) return [];
  const out: string[] = [];
  // Python's range(start, end + adjust, stride)
  const stop = last + (stride >= 0 ? 1 : -1);
  for (let i = start; stride > 0 ? i < stop : i > stop; i += stride) out.push(pyFormat(format, i, ctx));
  return out;
}

/** Where controller files are searched (Ansible's find_file_in_search_path for "files"): role, then playbook. */
function filesDirs(ctx: LookupContext): string[] {
  return [...(ctx.roleDir ? [join(ctx.roleDir, 'files'), ctx.roleDir] : []), join(ctx.baseDir, 'files'), ctx.baseDir];
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end);
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

// Files (not folders) matching the pattern in the first search folder that holds its directory part.
function fileglob(term: string, ctx: LookupContext): string[] {
  const dirPart = dirname(term);
  const dirs = isAbsolute(term) ? [dirPart] : filesDirs(ctx).map((d) => join(d, dirPart));
  const dir = dirs.find((d) => existsSync(d) && statSync(d).isDirectory());
  if (!dir) return [];
  const re = globToRegExp(basename(term));
  return readdirSync(dir)
    .filter((n) => (n.startsWith('.') ? basename(term).startsWith('.') : true) && re.test(n))
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile())
    .sort();
}

const splitOn = (v: unknown, seps: RegExp): string[] =>
  listify(v)
    .flatMap((x) => String(x).split(seps))
    .map((s) => s.trim())
    .filter(Boolean);

// The first existing file of the candidates (a list of names, or { files, paths, skip }), as a one-item list.
function firstFound(terms: unknown, ctx: LookupContext): unknown[] {
  const candidates: string[] = [];
  let skip = false;
  const addTerm = (t: unknown) => {
    if (isMap(t)) {
      for (const k of Object.keys(t))
        if (!['files', 'paths', 'skip'].includes(k)) fail(ctx, 'first_found', `unknown option "${k}"`, 'it takes files, paths and skip');
      const files = splitOn(t.files ?? [], /[,;]/);
      const paths = splitOn(t.paths ?? [], /[,:;]/);
      if (t.skip === true || (typeof t.skip === 'string' && /^(yes|true|on|1)$/i.test(t.skip))) skip = true;
      if (!paths.length) candidates.push(...files);
      else for (const p of paths) for (const f of files) candidates.push(join(p, f));
    } else if (Array.isArray(t)) t.forEach(addTerm);
    else candidates.push(String(t));
  };
  addTerm(terms);
  for (const c of candidates) {
    const found = isAbsolute(c)
      ? existsSync(c)
        ? c
        : undefined
      : foundDirs(ctx)
          .map((d) => join(d, c))
          .find((p) => existsSync(p));
    if (found) return [found];
  }
  if (skip) return [];
  return fail(
    ctx,
    'first_found',
    `no file was found among ${candidates.join(', ') || '(no candidates)'}`,
    `looked in ${foundDirs(ctx).join(', ')}; add skip: true to skip the task instead`,
  );
}

// first_found serves copy and template (files/, templates/), include_vars (vars/) and include_tasks (tasks/), like
// lookup('first_found'): each of those folders of the role and of the playbook, then the folder itself.
function foundDirs(ctx: LookupContext): string[] {
  const under = (d: string) => [...['files', 'templates', 'vars', 'tasks'].map((s) => join(d, s)), d];
  return [...(ctx.roleDir ? under(ctx.roleDir) : []), ...under(ctx.baseDir)];
}

/** ansible_loop for loop_control.extended. */
export function loopInfo(items: unknown[], i: number, allItems: boolean): Record<string, unknown> {
  const n = items.length;
  const info: Record<string, unknown> = {
    index: i + 1,
    index0: i,
    first: i === 0,
    last: i === n - 1,
    length: n,
    revindex: n - i,
    revindex0: n - i - 1,
  };
  if (allItems) info.allitems = items;
  if (i > 0) info.previtem = items[i - 1];
  if (i < n - 1) info.nextitem = items[i + 1];
  return info;
}
