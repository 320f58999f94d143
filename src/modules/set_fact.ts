// Sets host variables for the rest of the run from already-rendered values.
import { PlaybookError } from '../errors.js';
import { argsOf } from './args.js';
import { defineModule } from './types.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Ansible's set_fact (mapping form); `cacheable` is accepted and ignored. */
export const set_fact = defineModule<Record<string, unknown>>({
  name: 'set_fact',
  local: true,
  parse(raw, at) {
    const { v } = argsOf(raw, at, 'set_fact', Object.keys((raw ?? {}) as object));
    const facts = { ...v };
    delete facts.cacheable;
    for (const k of Object.keys(facts))
      if (!IDENT.test(k))
        throw new PlaybookError(`set_fact: "${k}" is not a valid variable name`, { at, hint: 'use letters, digits and _' });
    if (!Object.keys(facts).length) throw new PlaybookError('set_fact: no facts given', { at });
    return facts;
  },
  async plan(facts) {
    return { changed: false, facts, result: { ansible_facts: facts } };
  },
});
