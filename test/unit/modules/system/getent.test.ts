// getent: one command in, ansible_facts.getent_<database> out, as ansible-core 2.14's module builds it.
import { describe, expect, it } from 'vitest';
import { getent, getentTree } from '../../../../src/modules/system/getent.js';
import { at, fakeCtx, fakeProbe } from '../fake-probe.js';

const plan = (args: object, reply: Parameters<typeof fakeProbe>[0][number][1]) => {
  const probe = fakeProbe([[/getent/, reply]]);
  return { probe, run: getent.plan(getent.parse(args, at), probe, fakeCtx()) };
};

describe('getent', () => {
  it.each<[string, object, string, Record<string, unknown>]>([
    [
      'passwd splits on colons',
      { database: 'passwd', key: 'root' },
      'root:x:0:0:root:/root:/bin/bash\n',
      { root: ['x', '0', '0', 'root', '/root', '/bin/bash'] },
    ],
    ['services on whitespace', { database: 'services', key: 'ssh' }, 'ssh                   22/tcp\n', { ssh: ['22/tcp'] }],
    ['split given', { database: 'hosts', split: ' ' }, '127.0.0.1 localhost\n', { '127.0.0.1': ['localhost'] }],
    [
      'a key twice becomes a list of records',
      { database: 'hosts' },
      '::1 localhost\n::1 ip6-localhost\n::1 x\n',
      { '::1': [['localhost'], ['ip6-localhost'], ['x']] },
    ],
  ])('%s', async (_, args, out, tree) => {
    const { probe, run } = plan(args, out);
    const p = await run;
    expect(p.changed).toBe(false);
    const db = `getent_${(args as { database: string }).database}`;
    expect(p.facts?.[db]).toEqual(tree);
    expect(p.result).toEqual({ ansible_facts: { [db]: tree } });
    expect(probe.commands[0]).toMatch(/^LC_ALL=C getent /);
  });

  it('the command: database, key, then -s service', async () => {
    const { probe, run } = plan({ database: 'passwd', key: 'a b', service: 'files' }, 'a b:x\n');
    await run;
    expect(probe.commands).toEqual(["LC_ALL=C getent passwd 'a b' -s files"]);
  });

  it('a missing key fails, or maps to null with fail_key: false; other exit codes say what they mean', async () => {
    expect((await plan({ database: 'group', key: 'nope' }, { code: 2 }).run).failed).toBe(
      'One or more supplied key could not be found in the database.',
    );
    const soft = await plan({ database: 'group', key: 'nope', fail_key: false }, { code: 2 }).run;
    expect(soft.failed).toBeUndefined();
    expect(soft.result).toEqual({
      ansible_facts: { getent_group: { nope: null } },
      msg: 'One or more supplied key could not be found in the database.',
    });
    expect((await plan({ database: 'nosuch' }, { code: 1 }).run).failed).toBe('Missing arguments, or database unknown.');
    expect((await plan({ database: 'shadow' }, { code: 3 }).run).failed).toBe('Enumeration not supported on this database.');
  });

  it("Python's split: a colon at the end is an empty last field; the final newline is no line", () => {
    expect(getentTree('a:b:\n', ':')).toEqual({ a: ['b', ''] });
    expect(getentTree('a  b \n', undefined)).toEqual({ a: ['b'] });
  });
});
