// Ansible's setup: the host's facts gathered again mid-play, in one round trip, narrowed by gather_subset and filter.
import { badSubset, FACT_SUBSETS, factFilter, factsScript, parseFacts, subsetParts } from '../../facts/facts.js';
import { fail } from '../args.js';
import { defineModule } from '../types.js';

export interface SetupArgs {
  subset: string[];
  filter: string[];
  timeout: number;
}

export const setup = defineModule({
  name: 'setup',
  doc: "Gathers the host's facts again (Ansible's names, one round trip); gather_subset and filter narrow them.",
  example: "setup: {gather_subset: ['!all', network], filter: ['ansible_default_ipv4', 'ansible_*_mb']}",
  args: {
    gather_subset: {
      type: 'list',
      elements: 'str',
      default: ['all'],
      description: 'all, min, hardware, network, virtual or a collector name; !name leaves one out (!all: only min)',
    },
    filter: {
      type: 'list',
      elements: 'str',
      default: [],
      description: 'only facts whose ansible_ name matches one of these globs (ansible_*_mb)',
    },
    gather_timeout: { type: 'int', default: 10, description: 'seconds the mount sizes (df) may take before they are left out' },
  },
  atTurn: true,
  build(v, a): SetupArgs {
    for (const s of v.gather_subset) {
      const name = s.trim().replace(/^!/, '');
      if (badSubset(s))
        fail(
          a,
          `bad subset "${name}" given to gather_subset`,
          `use one of ${FACT_SUBSETS.join(', ')}, or a collector name such as distribution or interfaces`,
        );
    }
    if (v.gather_timeout < 1) fail(a, 'gather_timeout must be at least 1 second');
    return { subset: v.gather_subset, filter: v.filter, timeout: v.gather_timeout };
  },
  async plan(p, probe, ctx) {
    const parts = subsetParts(p.subset);
    const res = await probe.run(factsScript(parts, p.timeout));
    if (res.code !== 0 && !res.stdout.includes('@@'))
      return { changed: false, failed: `gathering facts failed (rc=${res.code}): ${res.stderr.trim()}` };
    const gathered = parseFacts(res, { parts, subset: p.subset });
    const keep = factFilter(p.filter);
    const picked: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(gathered.ansible_facts as Record<string, unknown>)) if (keep(`ansible_${k}`)) picked[k] = v;
    const prefixed = Object.fromEntries(Object.entries(picked).map(([k, v]) => [`ansible_${k}`, v]));
    const before = (ctx.vars.ansible_facts ?? {}) as Record<string, unknown>;
    const facts: Record<string, unknown> = { ...prefixed, ansible_facts: { ...before, ...picked } };
    if (gathered.runbook_bins) facts.runbook_bins = gathered.runbook_bins;
    return { changed: false, facts, note: `${Object.keys(picked).length} facts`, result: { ansible_facts: prefixed } };
  },
});
