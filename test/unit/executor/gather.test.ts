// The implicit "Gathering Facts" of a play: what its gather_subset asks the host for, once per run unless a later
// play wants a part the earlier ones left out.
import { describe, expect, it } from 'vitest';
import { runYaml } from '../../support/run-playbook.js';

const play = (head: string) => `- hosts: all\n${head}  tasks:\n    - debug: {msg: "{{ ansible_facts.gather_subset | join(',') }}"}\n`;
/** Which parts each facts script sent to h1 asked for. */
const gathered = (cmds: string[]) =>
  cmds
    .filter((c) => c.includes('echo @@uname'))
    .map((c) => ['@@python', '@@meminfo', '@@sysnet'].filter((s) => c.includes(s)).join(' ') || 'platform only');

describe('gather_subset on a play', () => {
  it('min gathers only the minimal facts; a later play without it gathers the rest; one asking for less gathers nothing', async () => {
    const pb = play('  gather_subset: [min]\n') + play('') + play('  gather_subset: ["!all", network]\n');
    const r = await runYaml(pb, { inventory: ['h1'] });
    expect(gathered(r.lab.host('h1').commands)).toEqual(['@@python', '@@python @@meminfo @@sysnet']);
    expect(
      r
        .of('h1')
        .filter((e) => e.task === 'debug')
        .map((e) => e.msg),
    ).toEqual(['min', 'all', 'all']);
  });

  it('!all,!min leaves only what the other facts need (hardware needs platform, as in Ansible); gather_timeout bounds df', async () => {
    const r = await runYaml(play('  gather_subset: ["!all", "!min", hardware]\n  gather_timeout: 3\n'), { inventory: ['h1'] });
    const [facts] = r.lab.host('h1').commands.filter((c) => c.includes('echo @@uname'));
    expect(gathered([facts!])).toEqual(['@@python @@meminfo']);
    expect(facts).toContain('timeout 3 df');
    expect(facts).not.toContain('@@env');
  });

  it('!all,!min with distribution and pkg_mgr reads os-release and looks for the managers, nothing else', async () => {
    const r = await runYaml(
      '- hosts: all\n  gather_subset: ["!all", "!min", distribution, pkg_mgr]\n  tasks:\n    - debug: {msg: "{{ ansible_facts.keys() | sort | join(\',\') }}"}\n',
      { inventory: ['h1'] },
    );
    const [facts] = r.lab.host('h1').commands.filter((c) => c.includes('echo @@osrel'));
    expect(facts).toContain('@@bins');
    for (const s of ['@@uname', '@@id', '@@env', '@@date', '@@python', '@@fqdn']) expect(facts).not.toContain(s);
    const keys = String(r.of('h1').find((e) => e.task === 'debug')?.msg).split(',');
    expect(keys).toContain('os_family');
    expect(keys).toContain('pkg_mgr');
    expect(keys).not.toContain('user_id');
    expect(keys).not.toContain('env');
  });

  it('gather_facts: false gathers nothing, whatever the subset', async () => {
    const r = await runYaml(play('  gather_facts: false\n  gather_subset: [min]\n'), { inventory: ['h1'] });
    expect(gathered(r.lab.host('h1').commands)).toEqual([]);
  });
});
