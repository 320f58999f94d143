// Ansible's getent: one `getent DATABASE [KEY]` on the host, its lines as ansible_facts.getent_<database>
// ({key: [fields…]}), split on ':' for passwd, shadow, group and gshadow and on whitespace otherwise, as 2.14 does.

import { cmd } from '../../remote/quote.js';
import { defineModule, factsPlan, type Plan } from '../types.js';

export interface GetentArgs {
  database: string;
  key?: string;
  service?: string;
  split?: string;
  failKey: boolean;
}

const COLON = new Set(['passwd', 'shadow', 'group', 'gshadow']);

/** Python's str.split(sep): on each sep; with none, on runs of whitespace with the ends trimmed. */
function pySplit(line: string, sep: string | undefined): string[] {
  if (sep !== undefined) return line.split(sep);
  const t = line.trim();
  return t ? t.split(/\s+/) : [];
}

/** getent's lines as the module's dict: a key seen twice becomes a list of records, as in Ansible. */
export function getentTree(out: string, sep: string | undefined): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  const seen = new Map<string, number>();
  // Python's splitlines, which drops the final newline
  const lines = out.split(/\r\n|\n|\r/);
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    const rec = pySplit(line, sep);
    const k = rec[0] ?? '';
    const n = seen.get(k) ?? 0;
    if (n === 0) tree[k] = rec.slice(1);
    else {
      if (n === 1) tree[k] = [tree[k]];
      (tree[k] as unknown[]).push(rec.slice(1));
    }
    seen.set(k, n + 1);
  }
  return tree;
}

export const getent = defineModule({
  name: 'getent',
  doc: 'Reads a getent database (passwd, group, hosts, services…) into ansible_facts.getent_<database>, as Ansible does.',
  example: 'getent: {database: passwd, key: root}',
  args: {
    database: { required: true, description: 'the database: passwd, group, shadow, hosts, services, …' },
    key: { description: 'the entry to look up; the whole database without it' },
    service: { description: 'the NSS service to ask (getent -s)' },
    split: { description: "what separates fields; ':' for passwd, shadow, group and gshadow, whitespace otherwise" },
    fail_key: { type: 'bool', default: true, description: 'fail when the key is not found (false: the key maps to null)' },
  },
  build: (v): GetentArgs => ({ database: v.database, key: v.key, service: v.service, split: v.split, failKey: v.fail_key }),
  async plan(p, probe, ctx): Promise<Plan> {
    const args = [p.database, ...(p.key !== undefined ? [p.key] : []), ...(p.service !== undefined ? ['-s', p.service] : [])];
    const r = await probe.run(`LC_ALL=C ${cmd('getent', ...args)}`);
    const db = `getent_${p.database}`;
    const withFacts = (tree: Record<string, unknown>, msg?: string): Plan =>
      factsPlan(ctx, { [db]: tree }, msg ?? `${Object.keys(tree).length} ${p.database} entries`, msg);
    if (r.code === 0) return withFacts(getentTree(r.stdout, p.split ?? (COLON.has(p.database) ? ':' : undefined)));
    if (r.code === 2 && !p.failKey && p.key !== undefined)
      return withFacts({ [p.key]: null }, 'One or more supplied key could not be found in the database.');
    const msg =
      r.code === 1
        ? 'Missing arguments, or database unknown.'
        : r.code === 2
          ? 'One or more supplied key could not be found in the database.'
          : r.code === 3
            ? 'Enumeration not supported on this database.'
            : r.code === 127
              ? 'getent is not installed on the host'
              : `Unexpected failure! (exit code ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''})`;
    return { changed: false, failed: msg };
  },
});
