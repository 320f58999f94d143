// Sets host variables for the rest of the run from already-rendered values.
import { PlaybookError } from '../errors.js';
import { defineModule } from './types.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Ansible's set_fact (mapping form); `cacheable` is accepted and ignored. */
export const set_fact = defineModule({
  name: 'set_fact',
  doc: 'Sets host variables for the rest of the run from already-rendered values; runs on the controller.',
  example: 'set_fact: {bridge_ip: "{{ bridge_cidr.split(\'/\')[0] }}"}',
  local: true,
  open: true,
  args: { cacheable: { type: 'bool', default: false, description: 'accepted and ignored; every other key is a variable to set' } },
  build(v, a): Record<string, unknown> {
    const facts: Record<string, unknown> = { ...v };
    delete facts.cacheable;
    for (const k of Object.keys(facts))
      if (!IDENT.test(k))
        throw new PlaybookError(`set_fact: "${k}" is not a valid variable name`, { at: a.at, hint: 'use letters, digits and _' });
    if (!Object.keys(facts).length) throw new PlaybookError('set_fact: no facts given', { at: a.at });
    return facts;
  },
  async plan(facts) {
    return { changed: false, facts, result: { ansible_facts: facts } };
  },
});
