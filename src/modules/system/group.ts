// A local group present (with a gid) or absent, via groupadd/groupmod/groupdel; state read from getent.

import { cmd } from '../../remote/quote.js';
import { defineModule, type Plan } from '../types.js';

export interface GroupArgs {
  name: string;
  gid?: number;
  state: 'present' | 'absent';
  system: boolean;
  force: boolean;
  nonUnique: boolean;
}

/** One `getent group` line: name, password, gid, members. */
export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export function parseGroupLine(line: string): GroupEntry | undefined {
  const f = line.trim().split(':');
  if (f.length < 3 || f[0] === '') return undefined;
  return { name: f[0], gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) };
}

export const group = defineModule({
  name: 'group',
  doc: 'A local group present with the given gid, or absent (groupadd/groupmod/groupdel).',
  example: 'group: {name: deploy, gid: 2001}',
  args: {
    name: { required: true, description: 'the group' },
    gid: { type: 'int', description: 'its numeric id (changed with groupmod when it differs)' },
    state: { choices: ['present', 'absent'], default: 'present', description: 'whether the group exists' },
    system: { type: 'bool', default: false, description: 'create it as a system group (groupadd -r); an existing group is not converted' },
    force: { type: 'bool', default: false, description: 'state=absent: delete even when it is some user’s primary group (groupdel -f)' },
    non_unique: { type: 'bool', default: false, description: 'allow a gid already used by another group (-o); needs gid' },
    local: { type: 'bool', default: false, description: 'accepted; groupadd already writes the local files' },
  },
  required_if: [['non_unique', true, ['gid']]],
  build: (v): GroupArgs => ({
    name: v.name,
    gid: v.gid,
    state: v.state as GroupArgs['state'],
    system: v.system,
    force: v.force,
    nonUnique: v.non_unique,
  }),
  async plan(p, probe): Promise<Plan> {
    const r = await probe.run(cmd('getent', 'group', p.name));
    const have = r.code === 0 ? parseGroupLine(r.stdout.split('\n')[0]) : undefined;
    const result: Record<string, unknown> = { name: p.name, state: p.state };
    if (p.state === 'absent') {
      if (!have) return { changed: false, note: `${p.name} absent`, result };
      return {
        changed: true,
        steps: [{ kind: 'exec', cmd: cmd('groupdel', ...(p.force ? ['-f'] : []), p.name) }],
        diff: [{ before: `${p.name}:x:${have.gid}\n`, after: '' }],
        note: `${p.name} removed`,
        result,
      };
    }
    result.system = p.system;
    const o = p.nonUnique ? ['-o'] : [];
    if (!have) {
      if (p.gid !== undefined) result.gid = p.gid;
      const args = [...(p.gid !== undefined ? ['-g', String(p.gid), ...o] : []), ...(p.system ? ['-r'] : []), p.name];
      return {
        changed: true,
        steps: [{ kind: 'exec', cmd: cmd('groupadd', ...args) }],
        diff: [{ before: '', after: `${p.name}:x:${p.gid ?? '(next free)'}\n` }],
        note: `${p.name} created`,
        result,
      };
    }
    result.gid = p.gid ?? have.gid;
    if (p.gid === undefined || p.gid === have.gid) return { changed: false, note: `${p.name} gid ${have.gid}`, result };
    return {
      changed: true,
      steps: [{ kind: 'exec', cmd: cmd('groupmod', '-g', String(p.gid), ...o, p.name) }],
      diff: [{ before: `${p.name}:x:${have.gid}\n`, after: `${p.name}:x:${p.gid}\n` }],
      note: `${p.name} gid ${have.gid} → ${p.gid}`,
      result,
    };
  },
});
