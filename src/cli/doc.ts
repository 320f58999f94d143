// `runbook doc MODULE` (ansible-doc): a module's description, arguments and example, read from its spec.
import { didYouMean, UsageError } from '../errors.js';
import { allModules } from '../modules/registry.js';
import { type ArgSpec, FREE_FORM, type ModuleSpec, typeLabel } from '../modules/spec.js';
import type { ModuleDef } from '../modules/types.js';
import { shortName } from '../shared/keywords.js';

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** One line per module: its name and what it does. */
export function moduleList(): string {
  const mods = allModules();
  const width = Math.max(...mods.map((m) => m.name.length));
  return `${mods.map((m) => `${m.name.padEnd(width)}  ${m.doc}`).join('\n')}\n`;
}

function argText(name: string, s: ArgSpec): string[] {
  const lines = [`${s.required ? '=' : '-'} ${name === FREE_FORM ? 'free_form' : name}`, `    ${s.description}`];
  if (s.aliases?.length) lines.push(`    aliases: ${s.aliases.join(', ')}`);
  if (s.choices) lines.push(`    choices: ${s.choices.map(show).join(', ')}`);
  if (s.default !== undefined) lines.push(`    default: ${show(s.default)}`);
  if (s.required) lines.push('    required: true');
  lines.push(`    type: ${typeLabel(s)}`);
  return lines;
}

// The cross-argument rules in words.
function rules(spec: ModuleSpec): string[] {
  const out: string[] = [];
  const name = (k: string) => (k === FREE_FORM ? 'free_form' : k);
  for (const g of spec.mutually_exclusive ?? []) out.push(`only one of: ${g.map(name).join(', ')}`);
  for (const g of spec.required_one_of ?? []) out.push(`at least one of: ${g.map(name).join(', ')}`);
  for (const g of spec.required_together ?? []) out.push(`together: ${g.join(', ')}`);
  for (const [k, v, reqs, oneOf] of spec.required_if ?? [])
    out.push(`when ${k}=${show(v)}: ${oneOf ? (reqs.length > 1 ? `one of ${reqs.join(', ')}` : reqs[0]) : reqs.join(', ')} required`);
  return out;
}

/** The ansible-doc style page of one module. */
export function moduleDoc(m: ModuleDef<unknown>): string {
  const { spec } = m;
  const names = Object.keys(spec.args).sort((a, b) => (a === FREE_FORM ? -1 : b === FREE_FORM ? 1 : a.localeCompare(b)));
  const out = [`> ${m.name.toUpperCase()}`, '', `  ${m.doc}`];
  if (m.local) out.push('', '  Runs on the controller: no connection to the host is needed.');
  if (m.freeForm) out.push('', `  Takes a free-form command: ${m.name}: <command line>.`);
  out.push('', 'OPTIONS (= is mandatory):', '');
  for (const k of names) out.push(...argText(k, spec.args[k]), '');
  if (spec.open) out.push('  Any other key is accepted: each one sets a variable of that name.', '');
  const r = rules(spec);
  if (r.length) out.push('RULES:', '', ...r.map((x) => `  ${x}`), '');
  out.push('EXAMPLE:', '', `- ${m.example.split('\n').join('\n  ')}`, '');
  return out.join('\n');
}

/** `runbook doc MODULE` or `runbook doc --list`; an unknown name is bad input (exit 4) with a did-you-mean. */
export function docCommand(name: string | undefined, opts: { list?: boolean }): string {
  if (opts.list) return moduleList();
  if (!name) throw new UsageError('name a module, or give --list', { hint: 'runbook doc copy  or  runbook doc --list' });
  const mods = allModules();
  const m = mods.find((x) => x.name === shortName(name));
  if (!m) {
    const names = mods.map((x) => x.name);
    throw new UsageError(`unknown module "${name}"`, { hint: didYouMean(shortName(name), names) ?? `runbook doc --list shows them all` });
  }
  return moduleDoc(m);
}
