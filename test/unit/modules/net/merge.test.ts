// Loop items merged into one apply: scripted probe replies in, each item's plan, then the merged commands out.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyInterfaces, writeChecked } from '../../../../src/modules/net/ovs-db.js';
import { mergePorts, ovsPort } from '../../../../src/modules/net/ovs-port.js';
import { pkg } from '../../../../src/modules/net/package.js';
import { route } from '../../../../src/modules/net/route.js';
import { apt } from '../../../../src/modules/pkg/apt.js';
import { dnf, yum } from '../../../../src/modules/pkg/dnf.js';
import type { ModuleDef, Plan } from '../../../../src/modules/types.js';
import { GRE0_IFACE, ROUTE_2 } from './captured.js';
import { at, ctx, fakeProbe, packageAptReply, type Reply, sectioned, statDir } from './fake-probe.js';

/** Each item planned against the same probe reply, then the module's merge of the changed ones. */
async function merged<P>(def: ModuleDef<P>, reply: Reply, items: object[], vars: Record<string, unknown> = {}) {
  const plans: Plan[] = [];
  for (const args of items) plans.push(await def.plan(def.parse(args, at), fakeProbe([[/./, reply]]), ctx(vars)));
  const changed = plans.filter((p) => p.changed);
  expect(changed.length).toBeGreaterThan(1);
  const steps = def.merge!(changed.map((p) => p.batch));
  return { plans, steps: steps?.map((s) => (s.kind === 'exec' ? { cmd: s.cmd, ...(s.stdin ? { stdin: s.stdin } : {}) } : s)) };
}

// A snapshot with gre0 (to 192.168.42.131) already on obr0, protected; nothing else.
const SNAP_GRE0 = `${GRE0_IFACE}\n${JSON.stringify({ data: [[['uuid', 'u0'], 'gre0', ['set', []], true]], headings: ['_uuid', 'name', 'tag', 'protected'] })}\n${JSON.stringify({ data: [['obr0', ['uuid', 'u0']]], headings: ['name', 'ports'] })}\n`;
const port = (name: string, ip: string, extra: object = {}) => ({
  bridge: 'obr0',
  port: name,
  type: 'gre',
  options: { remote_ip: ip },
  protected: true,
  ...extra,
});

describe('ovs_port: a loop of ports in one ovs-vsctl transaction', () => {
  it.each<[string, object[], { cmd: string }[] | undefined]>([
    [
      'two new ports, one already in place: one transaction for the two, checked by ovs-vsctl itself (it reads back what it adds)',
      [
        port('gre1', '10.0.0.1'),
        port('gre0', '192.168.42.131', { options: { remote_ip: '192.168.42.131', key: '5' } }),
        port('gre2', '10.0.0.2'),
      ],
      [
        {
          cmd:
            'ovs-vsctl --timeout=30 --may-exist add-port obr0 gre1 -- set interface gre1 type=gre options:remote_ip=10.0.0.1 -- set port gre1 protected=true' +
            ' -- --may-exist add-port obr0 gre2 -- set interface gre2 type=gre options:remote_ip=10.0.0.2 -- set port gre2 protected=true',
        },
      ],
    ],
    [
      'a removal joins the transaction',
      [port('gre1', '10.0.0.1'), { bridge: 'obr0', port: 'gre0', state: 'absent' }],
      [
        {
          cmd:
            'ovs-vsctl --timeout=30 --may-exist add-port obr0 gre1 -- set interface gre1 type=gre options:remote_ip=10.0.0.1 -- set port gre1 protected=true' +
            ' -- --if-exists del-port obr0 gre0',
        },
      ],
    ],
    ['the same port twice: applied one by one', [port('gre1', '10.0.0.1'), port('gre1', '10.0.0.9')], undefined],
  ])('%s', async (_, items, want) => {
    const { plans, steps } = await merged(ovsPort, SNAP_GRE0, items);
    expect(steps).toEqual(want?.map((w) => ({ cmd: (writeChecked(w.cmd) as { cmd: string }).cmd })));
    // Each item keeps its own note and diff: the recap and --diff show them as before.
    expect(plans.filter((p) => p.changed).every((p) => p.note && p.diff?.length)).toBe(true);
  });

  it('a port already there whose options change: the transaction, then its error column read (ovs-vsctl checks only what it adds)', async () => {
    const { steps } = await merged(ovsPort, SNAP_GRE0, [port('gre1', '10.0.0.1'), port('gre0', '192.168.42.9')]);
    expect(steps).toEqual([
      {
        cmd: (
          writeChecked(
            'ovs-vsctl --timeout=30 --may-exist add-port obr0 gre1 -- set interface gre1 type=gre options:remote_ip=10.0.0.1 -- set port gre1 protected=true' +
              ' -- set interface gre0 options:remote_ip=192.168.42.9 -- remove interface gre0 options key',
            verifyInterfaces(['gre0']),
          ) as { cmd: string }
        ).cmd,
      },
    ]);
  });

  // A stand-in ovs-vsctl: the write prints what the real one prints for interfaces it added that failed (and exits 0);
  // `get interface X error` answers each X's error column in turn.
  const vsctl = (writeStderr: string, errors: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-vsctl-'));
    const lines = Object.entries(errors).map(([n, e]) => `  ${n}) echo '${e}' ;;`);
    writeFileSync(join(dir, 'said'), writeStderr);
    writeFileSync(
      join(dir, 'ovs-vsctl'),
      `#!/bin/sh\ncase " $* " in *" get "*) for a in "$@"; do case "$a" in\n${lines.join('\n')}\nesac; done ;; *) cat ${dir}/said >&2 ;; esac\n`,
    );
    chmodSync(join(dir, 'ovs-vsctl'), 0o755);
    return dir;
  };
  // The merged apply as planned: new ports (checked by the write), a changed one (its error column read).
  const check = (added: string[], changed: string[], writeStderr: string, errors: Record<string, string>) => {
    const [step] = mergePorts([
      ...added.map((n) => ({ port: n, txn: ['--may-exist', 'add-port', 'obr0', n] })),
      ...changed.map((n) => ({ port: n, txn: ['set', 'interface', n, 'options:remote_ip=10.0.0.9'], verify: true as const })),
    ]) as [{ cmd: string }];
    const r = spawnSync('sh', ['-c', step.cmd], {
      env: { ...process.env, PATH: `${vsctl(writeStderr, errors)}:${process.env.PATH}` },
      encoding: 'utf8',
    });
    return { code: r.status, stderr: r.stderr };
  };
  const SETUP_ERR =
    'ovs-vsctl: Error detected while setting up \'gre2\': could not add network device gre2 to ofproto (Invalid argument).  See ovs-vswitchd log for details.\novs-vsctl: The default log directory is "/var/log/openvswitch".\n';

  it.each<[string, string, Record<string, string>, number, string]>([
    ['nothing reported, every error column empty → exit 0', '', { gre0: '[]' }, 0, ''],
    ['ovs-vsctl reports an added port it could not set up → exit 1, its words kept', SETUP_ERR, { gre0: '[]' }, 1, SETUP_ERR],
    [
      'the changed port has an error → exit 1, naming it',
      '',
      { gre0: '"could not add network device gre0"' },
      1,
      'ovs-vsctl: interface gre0: "could not add network device gre0"\n',
    ],
  ])('the merged apply on the host: %s', (_, writeStderr, errors, code, stderr) => {
    expect(check(['gre1', 'gre2'], ['gre0'], writeStderr, errors)).toEqual({ code, stderr });
  });
});

describe('route: a loop of routes in one ip -batch', () => {
  const two = [
    { to: '192.168.3.0/24', via: '10.0.0.3' },
    { to: '192.168.4.0/24', via: '10.0.0.4', metric: 20 },
  ];
  it.each<[string, object[], { cmd: string; stdin?: string }[] | undefined]>([
    [
      'new routes, one already right: one ip -batch of the others',
      [{ to: '192.168.2.0/24', via: '10.0.0.2' }, ...two],
      [
        {
          cmd: "ip -batch - <<'RB_IP_BATCH'\nroute replace 192.168.3.0/24 via 10.0.0.3\nroute replace 192.168.4.0/24 via 10.0.0.4 metric 20\nRB_IP_BATCH\n",
        },
      ],
    ],
    [
      'the same destination twice (a /32 and its bare address): one by one',
      [
        { to: '10.9.9.9/32', via: '10.0.0.3' },
        { to: '10.9.9.9', via: '10.0.0.4' },
      ],
      undefined,
    ],
  ])('%s', async (_, items, want) => {
    const { steps } = await merged(route, sectioned({ routes: ROUTE_2 }), items);
    expect(steps).toEqual(want);
  });

  it.each<[string, object]>([
    ['a route that must be deleted first (another metric)', { to: '192.168.2.0/24', via: '10.0.0.9', metric: 7 }],
    ['a persisted route', { to: '192.168.5.0/24', via: '10.0.0.5', persist: 'debian' }],
    ['a removal', { to: '192.168.2.0/24', state: 'absent' }],
  ])('%s does not join: it is applied one by one', async (_, args) => {
    const p = await route.plan(
      route.parse(args, at),
      fakeProbe([
        [/^echo @@routes/, sectioned({ routes: ROUTE_2 })],
        [/^if \[ -e /, `absent\n${statDir}\n`],
      ]),
      ctx(),
    );
    expect(p.changed).toBe(true);
    expect(p.batch).toBeUndefined();
  });
});

describe('package: a loop of packages in one install', () => {
  const APT = { ansible_pkg_mgr: 'apt' };
  it.each<[string, object[], Reply, Record<string, unknown>, { cmd: string }[] | undefined]>([
    [
      'apt: the missing names of every item in one apt-get install, each once',
      [{ name: 'git' }, { name: ['curl', 'git'] }, { name: 'jq' }],
      packageAptReply('git no\ncurl no\njq no\n'),
      APT,
      [{ cmd: 'env DEBIAN_FRONTEND=noninteractive apt-get install -y -q git curl' + ' jq' }],
    ],
    [
      'dnf with update_cache: one makecache, one install',
      [
        { name: 'git', update_cache: true },
        { name: 'jq', update_cache: true },
      ],
      sectioned({ mgr: 'dnf', installed: 'git no\njq no\n' }),
      { ansible_pkg_mgr: 'dnf' },
      [{ cmd: 'dnf -q makecache' }, { cmd: 'dnf install -y git jq' }],
    ],
    [
      'items with different arguments: one by one',
      [{ name: 'git' }, { name: 'jq', update_cache: true }],
      packageAptReply('git no\njq no\n'),
      APT,
      undefined,
    ],
  ])('%s', async (_, items, reply, vars, want) => {
    const { steps } = await merged(pkg, reply, items, vars);
    expect(steps).toEqual(want);
  });

  it('removal does not join (state=absent goes item by item)', async () => {
    const p = await pkg.plan(pkg.parse({ name: 'git', state: 'absent' }, at), fakeProbe([[/./, packageAptReply('git yes\n')]]), ctx(APT));
    expect(p.changed).toBe(true);
    expect(p.batch).toBeUndefined();
  });
});

describe('apt, dnf and yum: a loop of installs in one call', () => {
  const ENV = 'env DEBIAN_FRONTEND=noninteractive apt-get';
  const DPKG = '-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -o DPkg::Lock::Timeout=60';
  // apt: the state probe, then the item's own dry run (its names only), both answered.
  const aptReply = (status: string): Reply => sectioned({ now: '1800000000', stamp: '', status });
  const aptPlans = async (items: object[], status: string) => {
    const plans: Plan[] = [];
    for (const args of items)
      plans.push(
        await apt.plan(
          apt.parse(args, at),
          fakeProbe([
            [/^echo @@now/, aptReply(status)],
            [/apt-get install -s/, 'rc=0\n'],
          ]),
          ctx(),
        ),
      );
    return plans;
  };

  it("apt: one apt-get install of every item's missing names; it is captured, as each item's own run was", async () => {
    const plans = await aptPlans([{ name: 'git' }, { name: ['curl', 'jq'] }], 'curl amd64 7.88 ii \n');
    expect(apt.merge!(plans.map((p) => p.batch))).toEqual([{ kind: 'exec', cmd: `${ENV} install -y -q ${DPKG} git jq`, capture: true }]);
  });

  it('apt: items with different options go one by one', async () => {
    const plans = await aptPlans([{ name: 'git' }, { name: 'jq', install_recommends: false }], '');
    expect(apt.merge!(plans.map((p) => p.batch))).toBeUndefined();
  });

  it.each<[string, typeof dnf, object[], Record<string, string>, string[] | undefined]>([
    [
      'dnf: one install',
      dnf,
      [{ name: 'git' }, { name: ['jq', 'git'] }],
      { mgr: 'dnf', installed: 'git no\njq no\n' },
      ['dnf install -y git jq'],
    ],
    [
      'yum with a repo flag: one install with the flag',
      yum,
      [
        { name: 'a', enablerepo: 'epel' },
        { name: 'b', enablerepo: 'epel' },
      ],
      { mgr: 'yum', installed: 'a no\nb no\n' },
      ['yum install -y --enablerepo=epel a b'],
    ],
    [
      'dnf latest (an upgrade): one by one',
      dnf,
      [
        { name: 'a', state: 'latest' },
        { name: 'b', state: 'latest' },
      ],
      { mgr: 'dnf', installed: 'a yes\nb yes\n', upgradable: 'a\nb\n' },
      undefined,
    ],
  ])('%s', async (_, mod, items, reply, want) => {
    const plans: Plan[] = [];
    for (const args of items) plans.push(await mod.plan(mod.parse(args, at), fakeProbe([[/./, sectioned(reply)]]), ctx()));
    expect(plans.every((p) => p.changed)).toBe(true);
    const steps = plans.every((p) => p.batch) ? mod.merge!(plans.map((p) => p.batch)) : undefined;
    expect(steps?.map((s) => (s.kind === 'exec' ? s.cmd : s.kind))).toEqual(want);
  });
});
