// lookup()/query() as Ansible has them, run on the controller: env, file, template, pipe, vars, lines, fileglob,
// first_found, items/list, dict, indexed_items, sequence, varnames, password, inventory_hostnames. Anything else is a clear error, never a silent ''.
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { hostsFromGroups } from '../inventory/select.js';
import { addSecret } from '../vault/secrets.js';
import { PyCallable } from './runtime.js';
import { isMapping, JinjaError, type Kwargs, pyStr } from './values.js';

/** What a lookup needs to know of the task it runs for. */
export interface LookupContext {
  vars: Record<string, unknown>;
  /** Folders searched for relative paths, in order (the role's, the playbook's). */
  dirs: string[];
  /** Renders a template file with the task's variables. */
  renderFile?(path: string): string;
}

type Lookup = (ctx: LookupContext, terms: unknown[], kw: Kwargs) => unknown[];

function find(ctx: LookupContext, sub: string, name: string): string | undefined {
  if (isAbsolute(name)) return existsSync(name) ? name : undefined;
  for (const d of ctx.dirs) {
    for (const p of [join(d, sub, name), join(d, name)]) if (existsSync(p)) return p;
  }
  return undefined;
}

const flat = (terms: unknown[]): unknown[] => terms.flatMap((t) => (Array.isArray(t) ? t : [t]));

const LOOKUPS: Record<string, Lookup> = {
  env: (_c, terms, kw) => flat(terms).map((t) => process.env[String(t)] ?? (kw.default !== undefined ? kw.default : '')),
  file: (ctx, terms, kw) =>
    flat(terms).map((t) => {
      const p = find(ctx, 'files', String(t));
      if (!p)
        throw new JinjaError(`lookup('file'): could not find "${pyStr(t)}"`, `looked in files/ and the folders of ${ctx.dirs.join(', ')}`);
      let s = readFileSync(p, 'utf8');
      if (kw.rstrip !== false) s = s.replace(/\s+$/, '');
      if (kw.lstrip === true) s = s.replace(/^\s+/, '');
      return s;
    }),
  template: (ctx, terms) =>
    flat(terms).map((t) => {
      const p = find(ctx, 'templates', String(t));
      if (!p || !ctx.renderFile) throw new JinjaError(`lookup('template'): could not find "${pyStr(t)}"`);
      return ctx.renderFile(p);
    }),
  pipe: (_c, terms) =>
    flat(terms).map((t) => {
      try {
        return execFileSync('/bin/sh', ['-c', String(t)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).replace(/\s+$/, '');
      } catch (e) {
        throw new JinjaError(`lookup('pipe'): "${pyStr(t)}" failed: ${(e as Error).message.split('\n')[0]}`);
      }
    }),
  lines: (c, terms) => LOOKUPS.pipe(c, terms, {}).flatMap((out) => String(out).split('\n')),
  vars: (ctx, terms, kw) =>
    flat(terms).map((t) => {
      const name = String(t);
      if (Object.hasOwn(ctx.vars, name)) return ctx.vars[name];
      if (kw.default !== undefined) return kw.default;
      throw new JinjaError(`No variable found with this name: ${name}`);
    }),
  fileglob: (ctx, terms) =>
    flat(terms).flatMap((t) => {
      const pattern = String(t);
      for (const d of isAbsolute(pattern) ? [''] : ctx.dirs.flatMap((x) => [join(x, 'files'), x])) {
        const full = isAbsolute(pattern) ? pattern : join(d, pattern);
        const dir = dirname(full);
        if (!existsSync(dir)) continue;
        const re = new RegExp(
          `^${basename(full)
            .replace(/[.+^${}()|\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
        );
        const hits = readdirSync(dir)
          .filter((f) => re.test(f) && statSync(join(dir, f)).isFile())
          .sort()
          .map((f) => join(dir, f));
        if (hits.length) return hits;
      }
      return [];
    }),
  first_found: (ctx, terms, kw) => {
    const spec = flat(terms);
    const files: string[] = [];
    const paths: string[] = [];
    let skip = kw.skip === true;
    for (const t of spec) {
      if (isMapping(t)) {
        files.push(...flat([t.files ?? []]).map(String));
        paths.push(...flat([t.paths ?? []]).map(String));
        if (t.skip === true) skip = true;
      } else files.push(String(t));
    }
    if (kw.files) files.push(...flat([kw.files]).map(String));
    if (kw.paths) paths.push(...flat([kw.paths]).map(String));
    for (const f of files) {
      const candidates = paths.length ? paths.map((p) => join(p, f)) : [f];
      for (const c of candidates) {
        const p = find(ctx, 'files', c) ?? find(ctx, 'templates', c) ?? find(ctx, 'vars', c) ?? find(ctx, 'tasks', c);
        if (p) return [p];
      }
    }
    if (skip) return [];
    throw new JinjaError(`lookup('first_found'): none of ${files.join(', ')} was found`, 'add one of the files, or give skip: true');
  },
  items: (_c, terms) => flat(terms),
  list: (_c, terms) => terms,
  dict: (_c, terms) =>
    terms.flatMap((t) => {
      if (!isMapping(t)) throw new JinjaError(`lookup('dict') needs a mapping, got ${pyStr(t)}`);
      return Object.entries(t).map(([key, value]) => ({ key, value }));
    }),
  indexed_items: (_c, terms) => flat(terms).map((t, i) => [i, t]),
  sequence: (_c, terms) => flat(terms).flatMap((t) => sequence(String(t))),
  // the names of the variables a Python regex finds (re.search), term by term, in the variables' order
  varnames: (ctx, terms) =>
    flat(terms).flatMap((t) => {
      let re: RegExp;
      try {
        re = pyRe(String(t));
      } catch (e) {
        throw new JinjaError(`lookup('varnames'): "${pyStr(t)}" is not a valid regular expression: ${(e as Error).message}`);
      }
      return Object.keys(ctx.vars).filter((n) => re.test(n));
    }),
  password: (_c, terms) => flat(terms).map((t) => passwordLookup(String(t))),
  // host patterns against the `groups` variable, as Ansible's lookup builds its own inventory from it
  inventory_hostnames: (ctx, terms) => hostsFromGroups(ctx.vars.groups, flat(terms).map(String)),
};

/** Python re syntax JavaScript spells otherwise: named groups and their references. */
const pyRe = (s: string) => new RegExp(s.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'));

// Ansible's password lookup's character sets, by the names of Python's string module.
const CHARSETS: Record<string, string> = {
  ascii_letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ascii_lowercase: 'abcdefghijklmnopqrstuvwxyz',
  ascii_uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  hexdigits: '0123456789abcdefABCDEF',
  octdigits: '01234567',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};

/**
 * lookup('password', 'path length=20 chars=ascii_letters,digits'): the file's password (its first line, before any
 * " salt="), or a new random one written to the file (mode 0600, its folder made) when it does not exist yet;
 * /dev/null keeps nothing. The password is a secret from then on: masked in every output.
 */
export function passwordLookup(term: string): string {
  const [path, ...opts] = term.trim().split(/\s+/);
  const kv: Record<string, string> = {};
  for (const o of opts) {
    const i = o.indexOf('=');
    if (i < 1) throw new JinjaError(`lookup('password'): "${o}" is not key=value`, 'write it as path length=20 chars=ascii_letters,digits');
    kv[o.slice(0, i)] = o.slice(i + 1);
  }
  for (const k of Object.keys(kv))
    if (!['length', 'chars'].includes(k))
      throw new JinjaError(
        `lookup('password'): ${k}= is not supported`,
        'runbook takes length= and chars=; hash the password with the password_hash filter',
      );
  const length = kv.length === undefined ? 20 : Number(kv.length);
  if (!Number.isInteger(length) || length < 1) throw new JinjaError(`lookup('password'): length must be a whole number, got ${kv.length}`);
  // Ansible's reading of chars=: comma-separated names of Python's string sets or literal characters, ",," a comma;
  // its default is ascii_letters, digits and ".,:-_"; quotes are never used
  const raw = kv.chars;
  const sets =
    raw === undefined
      ? ['ascii_letters', 'digits', '.,:-_']
      : [...(raw.includes(',,') ? [','] : []), ...raw.replace(/,,/g, ',').split(',').filter(Boolean)];
  const alphabet = [
    ...new Set(
      sets
        .map((c) => CHARSETS[c] ?? c)
        .join('')
        .replace(/["']/g, ''),
    ),
  ].join('');
  if (!alphabet) throw new JinjaError("lookup('password'): chars= leaves no character to choose from");
  let pw: string;
  if (path !== '/dev/null' && existsSync(path)) {
    pw = readFileSync(path, 'utf8')
      .split('\n')[0]
      .replace(/ salt=.*$/, '')
      .replace(/ ident=.*$/, '');
  } else {
    pw = '';
    for (let i = 0; i < length; i++) pw += alphabet[randomInt(alphabet.length)];
    if (path !== '/dev/null') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, `${pw}\n`, { mode: 0o600, flag: 'wx' });
    }
  }
  addSecret(pw);
  return pw;
}

/** with_sequence / lookup('sequence'): "start=1 end=5 stride=1 format=x%02d" or the short "1-5/2:x%d" form. */
export function sequence(spec: string): string[] {
  let start = 1;
  let end: number | undefined;
  let count: number | undefined;
  let stride = 1;
  let format = '%d';
  const short = /^\s*(0x[0-9a-f]+|\d+)?-?(0x[0-9a-f]+|\d+)(?:\/(\d+))?(?::(.+))?\s*$/i.exec(spec);
  if (short && !spec.includes('=')) {
    if (short[1] !== undefined) start = Number(short[1]);
    end = Number(short[2]);
    if (short[3]) stride = Number(short[3]);
    if (short[4]) format = short[4];
  } else {
    for (const part of spec.trim().split(/\s+/)) {
      const [k, v] = part.split('=');
      if (k === 'start') start = Number(v);
      else if (k === 'end') end = Number(v);
      else if (k === 'count') count = Number(v);
      else if (k === 'stride') stride = Number(v);
      else if (k === 'format') format = v;
      else throw new JinjaError(`sequence: unknown argument "${k}"`, 'use start=, end=, count=, stride=, format=');
    }
  }
  if (count !== undefined) end = start + (count - 1) * stride;
  if (end === undefined || Number.isNaN(end)) throw new JinjaError(`sequence: "${spec}" needs end= or count=`);
  const out: string[] = [];
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride) {
    out.push(
      format.replace(/%(0?\d*)([dxXo])/, (_, w: string, c: string) => {
        const s = c === 'd' ? String(i) : c === 'o' ? i.toString(8) : c === 'X' ? i.toString(16).toUpperCase() : i.toString(16);
        return w.startsWith('0') ? s.padStart(Number(w), '0') : s.padStart(Number(w || 0), ' ');
      }),
    );
    if (out.length > 100_000) throw new JinjaError('sequence: more than 100000 items');
  }
  return out;
}

function run(ctx: LookupContext, args: unknown[], kw: Kwargs): unknown[] {
  const [name, ...terms] = args;
  const short = String(name).replace(/^ansible\.(builtin|legacy)\./, '');
  const fn = Object.hasOwn(LOOKUPS, short) ? LOOKUPS[short] : undefined;
  if (!fn)
    throw new JinjaError(
      `lookup plugin '${pyStr(name)}' is not supported`,
      `runbook has these lookups: ${Object.keys(LOOKUPS).join(', ')}`,
    );
  const { wantlist: _w, errors, ...rest } = kw;
  try {
    return fn(ctx, terms, rest);
  } catch (e) {
    if (errors === 'ignore') return [];
    throw e;
  }
}

/** lookup() joins a list with commas unless wantlist=True; query()/q() always give a list. */
export function lookupGlobals(ctx: LookupContext): Record<string, unknown> {
  const query = new PyCallable('query', (args, kw) => run(ctx, args, kw));
  return {
    lookup: new PyCallable('lookup', (args, kw) => {
      const out = run(ctx, args, kw);
      if (kw.wantlist === true) return out;
      return out.length === 1 ? out[0] : out.map((x) => pyStr(x)).join(',');
    }),
    query,
    q: query,
  };
}

export const LOOKUP_NAMES: readonly string[] = Object.keys(LOOKUPS);
