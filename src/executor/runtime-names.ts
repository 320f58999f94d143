// Which tasks depend on what only the run itself produces (registered results, set_fact, facts).

import { UndefinedError } from '../jinja/values.js';
import type { Play } from '../playbook/types.js';
import { MissingVariable } from '../template/strict.js';

/** Names only known at run time: a task that mentions one cannot be checked or planned ahead. */
export function runtimeNames(play: Play): Set<string> {
  const names = new Set<string>(['play_hosts', 'ansible_play_hosts']);
  for (const t of [...play.tasks, ...play.handlers]) {
    if (t.register) names.add(t.register);
    if (t.module === 'set_fact' && t.args && typeof t.args === 'object') for (const k of Object.keys(t.args)) names.add(k);
    // include_vars and dynamic includes bring variables (and tasks) only known once they run: nothing after is checked ahead.
    if (t.module === 'include_vars' || t.include) names.add('*');
  }
  return names;
}

/** True when `text` names a runtime variable; gathered facts count unless they are already known. */
export function mentionsRuntime(text: string, names: Set<string>, factsKnown = false): boolean {
  if (names.has('*')) return true;
  if (!factsKnown && /\bansible_(?!host\b|port\b|user\b|check_mode\b)\w+/.test(text)) return true;
  for (const n of names) if (new RegExp(`\\b${n.replace(/[^\w]/g, '')}\\b`).test(text)) return true;
  return false;
}

/** The variable an undefined-variable error (a Jinja one, or a Handlebars template's) is about, through its causes. */
export function undefinedName(e: unknown): string | undefined {
  for (let c: unknown = e; c instanceof Error; c = c.cause) {
    if (c instanceof UndefinedError) return c.undef.name;
    if (c instanceof MissingVariable) return c.variable;
  }
  return undefined;
}

/**
 * An undefined variable that the run itself will define: a fact or a registered result, maybe reached through a var
 * whose value names it (`x: "{{ ansible_hostname }}"`, then `{{ x }}`). Not an input error: checked when it runs.
 */
export function laterDefined(e: unknown, names: Set<string>): boolean {
  const name = undefinedName(e);
  return name !== undefined && mentionsRuntime(name.split(/[.[]/)[0] ?? name, names);
}
