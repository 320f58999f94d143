// Shape checks for playbook fields: each reader returns a typed value or throws at the offending node.
import { isMap, isScalar, isSeq, type Node, visit } from 'yaml';
import { didYouMean, type Location, PlaybookError } from '../errors.js';
import { checkExpression } from '../expr/eval.js';
import { checkTemplateSyntax, hasTemplate } from '../template/render.js';
import { describe, type Field, fieldsOf, posOf, resolve, type Source, toValue } from './positions.js';

/** A variable (or environment variable) name. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

// One way to fail, so every error carries a position and something to do about it.
export function fail(at: Location, message: string, hint: string): never {
  throw new PlaybookError(message, { at, hint });
}

// "X must be Y, not Z" plus an example is what a user needs to fix a type mistake.
export function expected(f: Field, what: string, example: string): never {
  return fail(f.at, `"${f.key}" must be ${what}, not ${describe(f.node)}`, `for example: ${example}`);
}

function scalar(f: Field): unknown {
  return isScalar(f.node) ? f.node.value : undefined;
}

// Reads a keyword only when it was written; defaults stay with the caller.
export function opt<T>(fields: Map<string, Field>, key: string, read: (f: Field) => T): T | undefined {
  const f = fields.get(key);
  return f === undefined ? undefined : read(f);
}

// YAML booleans (true/false, and yes/no/on/off as Ansible's YAML 1.1 reads them).
export function bool(f: Field): boolean {
  const v = scalar(f);
  if (typeof v !== 'boolean') expected(f, 'true or false', `${f.key}: true`);
  return v;
}

/**
 * no_log: true or false; a template (`no_log: "{{ hide_passwords }}"`) is taken as true: runbook hides the output
 * rather than let a secret through while the template is not rendered yet.
 */
export function noLogOf(f: Field): boolean {
  const v = scalar(f);
  if (typeof v === 'string' && hasTemplate(v)) {
    checkTemplateSyntax(v, f.at);
    return true;
  }
  return bool(f);
}

/** true or false, or a template decided per host when the task runs (`ignore_errors: "{{ ansible_check_mode }}"`). */
export function boolOrTemplate(f: Field): boolean | string {
  const v = scalar(f);
  if (typeof v === 'string' && hasTemplate(v)) {
    checkTemplateSyntax(v, f.at);
    return v;
  }
  return bool(f);
}

// Names, hosts and the like: a non-empty string (a bare number is taken as its text).
export function str(f: Field, example = `${f.key}: some text`): string {
  const v = scalar(f);
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string' || v.trim() === '') expected(f, 'a non-empty string', example);
  return v;
}

// Counts such as retries and delay; a string like "3" is a mistake worth pointing at.
export function int(f: Field, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = scalar(f);
  if (typeof v !== 'number' || !Number.isInteger(v)) expected(f, 'a whole number', `${f.key}: ${Math.max(min, 3)}`);
  if (v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
    fail(f.at, `"${f.key}" must be ${range}, not ${v}`, `for example: ${f.key}: ${Math.max(min, Math.min(3, max))}`);
  }
  return v;
}

// Percentages may be fractional (max_fail_percentage: 12.5).
export function number(f: Field, min: number, max: number): number {
  const v = scalar(f);
  if (typeof v !== 'number') expected(f, `a number from ${min} to ${max}`, `${f.key}: 25`);
  if (v < min || v > max) fail(f.at, `"${f.key}" must be from ${min} to ${max}, not ${v}`, `for example: ${f.key}: 25`);
  return v;
}

// Closed vocabularies (connection, strategy) get a did-you-mean.
export function oneOf<T extends string>(f: Field, choices: readonly T[]): T {
  const v = scalar(f);
  if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
  const list = choices.map((c) => `"${c}"`).join(' or ');
  const dym = typeof v === 'string' ? didYouMean(v, choices) : undefined;
  return fail(f.at, `"${f.key}" must be ${list}, not ${describe(f.node)}`, dym ?? `for example: ${f.key}: ${choices[0]}`);
}

// Register names become variables, so they must be usable in expressions.
export function identifier(f: Field): string {
  const v = str(f, `${f.key}: result`);
  if (!IDENTIFIER.test(v)) {
    fail(f.at, `"${f.key}" must be a variable name, not "${v}"`, 'use letters, digits and underscores, e.g. web_result');
  }
  return v;
}

/** A string list with the position of each entry (notify names are checked later, one by one). */
export interface Located {
  values: string[];
  ats: Location[];
}

// notify, listen, tags, hosts: one string or a list of strings.
export function strList(src: Source, f: Field, example: string): Located {
  const out: Located = { values: [], ats: [] };
  if (f.node === null) return out;
  const items = isSeq(f.node) ? f.node.items : [f.node];
  for (const item of items) {
    const node = resolve(src, item);
    const v = isScalar(node) ? node.value : undefined;
    if ((typeof v !== 'string' || v.trim() === '') && typeof v !== 'number') {
      const where = isSeq(f.node) ? `each entry of "${f.key}"` : `"${f.key}"`;
      fail(posOf(src, item), `${where} must be a string or a list of strings, not ${describe(node)}`, `for example: ${example}`);
    }
    out.values.push(String(v));
    out.ats.push(posOf(src, item));
  }
  return out;
}

// Tags may be written "a, b" in one string, as Ansible allows.
export function tagList(src: Source, f: Field): string[] {
  return strList(src, f, `${f.key}: [web, config]`)
    .values.flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

// when / changed_when / failed_when / until: bare expressions, checked for syntax now.
export function conditions(src: Source, f: Field): string[] {
  if (f.node === null) expected(f, 'an expression, true/false, or a list of those', `${f.key}: x == 1`);
  const items = isSeq(f.node) ? f.node.items : [f.node];
  const out: string[] = [];
  for (const item of items) {
    const node = resolve(src, item);
    const v = isScalar(node) ? node.value : undefined;
    const at = posOf(src, item);
    if (typeof v === 'boolean') {
      out.push(String(v));
      continue;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      fail(
        at,
        `"${f.key}" must be an expression, true/false, or a list of those, not ${describe(node)}`,
        `for example: ${f.key}: ansible_os_family == "Debian"`,
      );
    }
    checkExpression(v, at);
    out.push(v);
  }
  return out;
}

// vars: a map of variable names; values keep their YAML types, template strings are syntax-checked.
export function varsMap(src: Source, f: Field): Record<string, unknown> {
  if (f.node === null) return {};
  if (!isMap(f.node)) expected(f, 'a map of variable names to values', `${f.key}: { port: 8080 }`);
  const out: Record<string, unknown> = {};
  for (const v of fieldsOf(src, f.node)) {
    if (!IDENTIFIER.test(v.key)) {
      fail(v.keyAt, `"${v.key}" is not a valid variable name`, `use letters, digits and underscores, e.g. ${v.key.replace(/\W/g, '_')}`);
    }
    checkTemplates(src, v.node);
    out[v.key] = toValue(src, v.node);
  }
  return out;
}

// environment: a map of environment variable names to scalar values (templates allowed, rendered per host).
export function envMap(src: Source, f: Field): Record<string, unknown> {
  if (f.node === null) return {};
  // environment: "{{ proxy_env }}" (kubespray's plays): a template that renders to the map, per host at run time. It is
  // kept under its own text as the key (no variable name starts with "{{"), so it merges with the other levels'
  // maps in their order, and the task's own entries still come last.
  if (isScalar(f.node) && typeof f.node.value === 'string' && hasTemplate(f.node.value)) {
    checkTemplates(src, f.node);
    return { [f.node.value]: f.node.value };
  }
  if (!isMap(f.node)) expected(f, 'a map of environment variables to values', `${f.key}: { http_proxy: "http://proxy:3128" }`);
  const out: Record<string, unknown> = {};
  for (const v of fieldsOf(src, f.node)) {
    if (!IDENTIFIER.test(v.key)) {
      fail(
        v.keyAt,
        `"${v.key}" is not a valid environment variable name`,
        'use letters, digits and underscores, not starting with a digit',
      );
    }
    const value = toValue(src, v.node);
    if (value !== null && typeof value === 'object') {
      fail(
        v.at,
        `environment variable "${v.key}" must be a string, number or boolean, not ${describe(v.node)}`,
        `for example: ${v.key}: "value"`,
      );
    }
    checkTemplates(src, v.node);
    out[v.key] = value;
  }
  return out;
}

// Every string that holds {{ }} anywhere under a node is syntax-checked where it is written.
export function checkTemplates(src: Source, node: Node | null): void {
  if (node === null) return;
  visit(node, {
    Pair(_, pair) {
      checkTemplates(src, pair.value as Node | null);
      return visit.SKIP;
    },
    Scalar(_, s) {
      if (typeof s.value === 'string' && hasTemplate(s.value)) checkTemplateSyntax(s.value, posOf(src, s));
    },
  });
}

// `msg: {{ x }}` parses as a nested flow map; Ansible's classic trap deserves its own message.
export function rejectUnquotedTemplates(src: Source): void {
  visit(src.doc, {
    Map(_, map) {
      if (map.flow && map.items.some((p) => isMap(p.key))) {
        fail(posOf(src, map), 'this looks like a {{ }} template without quotes', 'quote the whole value: msg: "{{ x }}"');
      }
    },
  });
}

/**
 * become_method on a play, block, task or role entry: runbook becomes with sudo, so `sudo` is accepted as written
 * (it changes nothing) and any other method is refused rather than silently replaced by sudo.
 */
export function sudoMethod(f: Field): true {
  if (isScalar(f.node) && f.node.value === 'sudo') return true;
  const v = isScalar(f.node) ? String(f.node.value) : describe(f.node);
  return fail(
    f.at,
    `become_method: ${v} is not supported: runbook becomes with sudo`,
    'write become_method: sudo, or remove it (sudo is what runbook uses)',
  );
}
