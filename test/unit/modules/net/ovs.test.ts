import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlaybookError } from '../../../../src/errors.js';
import { ovsBridge } from '../../../../src/modules/net/ovs-bridge.js';
import { ovsRows, readSnapshot, writeChecked } from '../../../../src/modules/net/ovs-db.js';
import { ovsPort } from '../../../../src/modules/net/ovs-port.js';
import { alive, ovsService } from '../../../../src/modules/net/ovs-service.js';
import type { Probe } from '../../../../src/modules/types.js';
import {
  DB_DOWN,
  GRE0_IFACE,
  GRE0_IFACE_ERROR,
  GRE0_PORT_PROTECTED,
  GRE0_PORT_TAG10,
  GRE0_PORT_UNTAGGED,
  OBR0_FRESH,
  OBR0_TUNED,
} from './captured.js';
import { at, ctx, fakeProbe, type Reply, sectioned, stepsOf } from './fake-probe.js';

const verify = (name: string) =>
  `err=$(ovs-vsctl --timeout=10 get interface ${name} error 2>&1) || { echo "$err" >&2; exit 1; }; ` +
  `[ "$err" = '[]' ] || { echo 'ovs-vsctl: interface ${name}: '"$err" >&2; exit 1; }`;
/** The change and its error check as one command: one frame on the host. */
const verified = (write: string, name: string) => `${write} || exit; ${verify(name)}`;
const checked = (write: string) => (writeChecked(write) as { cmd: string }).cmd;

/**
 * The snapshot probe both ovs_bridge and ovs_port plan from (one read for a bridge and all its ports): ovsdb-client's
 * three selects, or ovs-vsctl where ovsdb-client fails.
 */
const VSCTL_SNAPSHOT =
  'ovs-vsctl --timeout=10 --format=json -- --columns=name,type,options,error list interface -- --columns=_uuid,name,tag,protected list port -- --columns=name,ports,datapath_type,stp_enable,rstp_enable,other_config,fail_mode list bridge';
const SNAPSHOT = `ovsdb-client --timeout=10 transact '["Open_vSwitch",{"op":"select","table":"Interface","where":[],"columns":["name","type","options","error"]},{"op":"select","table":"Port","where":[],"columns":["_uuid","name","tag","protected"]},{"op":"select","table":"Bridge","where":[],"columns":["name","ports","datapath_type","stp_enable","rstp_enable","other_config","fail_mode"]}]' 2>/dev/null || { rb_oc=$?; if [ $rb_oc = 142 ]; then echo 'ovsdb-client: the Open vSwitch database did not answer within 10 s' >&2; false; else ${VSCTL_SNAPSHOT}; fi; }`;
/**
 * The same reply as ovsdb-client prints it (one JSON array, a result of rows per select), for a reply ovs-vsctl
 * printed (a JSON document per table, a line each); a failed read stays as it is.
 */
const asClient = (reply: Reply): Reply => {
  if (typeof reply !== 'string') return reply;
  const tables = reply
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { data: unknown[][]; headings: string[] });
  return `${JSON.stringify(tables.map((t) => ({ rows: t.data.map((row) => Object.fromEntries(t.headings.map((h, i) => [h, row[i]]))) })))}\n`;
};
/**
 * A probe that answers the snapshot on ovsdb-server's socket (as over SSH) with the rows of an ovsdb-client reply; no
 * command may run. `asked` holds each request: socket, method, params.
 */
const overSocket = (clientReply: string) => {
  const asked: unknown[][] = [];
  const ran: string[] = [];
  const probe: Probe & { ran: string[] } = {
    ran,
    async run(cmd) {
      ran.push(cmd);
      throw new Error(`a command ran where the socket answers: ${cmd}`);
    },
    async readFile(path) {
      throw new Error(`unscripted file: ${path}`);
    },
    async jsonRpc(socket, method, params, timeout) {
      asked.push([socket, method, params, timeout]);
      return { result: JSON.parse(clientReply), error: null };
    },
  };
  return { probe, asked };
};
/** The select the command sends, as the socket gets it. */
const SNAPSHOT_PARAMS = JSON.parse(/transact '(.*?)' 2>/.exec(SNAPSHOT)?.[1] ?? '');

/**
 * Plans with the reply as ovs-vsctl prints it, as ovsdb-client does, and as the socket answers it (socket: true):
 * the plans are the same.
 */
async function bothWays<T>(reply: Reply, plan: (r: Reply, socket?: boolean) => Promise<T>): Promise<T> {
  const fromVsctl = await plan(reply);
  expect(await plan(asClient(reply))).toEqual(fromVsctl);
  if (typeof reply === 'string') expect(await plan(asClient(reply), true)).toEqual(fromVsctl);
  return fromVsctl;
}

/** A snapshot reply with no interfaces or ports and this bridge table. */
const withBridges = (table: string): Reply =>
  `{"data":[],"headings":["name","type","options","error"]}\n{"data":[],"headings":["_uuid","name","tag","protected"]}\n${table}\n`;
const NO_BRIDGES = withBridges(
  '{"data":[],"headings":["name","ports","datapath_type","stp_enable","rstp_enable","other_config","fail_mode"]}',
);

describe('ovsRows: values as ovs-vsctl --format=json writes them', () => {
  it('maps, sets of none, one or more, uuids; a map key named __proto__ is a key, not the prototype', () => {
    const json = JSON.stringify({
      headings: ['name', 'options', 'ports', 'tag', 'ext'],
      data: [
        [
          'p1',
          [
            'map',
            [
              ['remote_ip', '10.0.0.2'],
              ['key', 5],
            ],
          ],
          [
            'set',
            [
              ['uuid', 'u1'],
              ['uuid', 'u2'],
            ],
          ],
          ['set', []],
          ['map', [['__proto__', 'x']]],
        ],
      ],
    });
    const [row] = ovsRows(json);
    expect(row).toEqual({
      name: 'p1',
      options: { remote_ip: '10.0.0.2', key: '5' },
      ports: ['u1', 'u2'],
      tag: undefined,
      ext: { ['__proto__']: 'x' },
    });
    expect(Object.getPrototypeOf(row!.ext)).toBe(Object.prototype);
    expect(Object.keys(row!.ext as object)).toEqual(['__proto__']);
    expect(ovsRows(JSON.stringify({ headings: ['s'], data: [[['set', ['one']]]] }))[0]).toEqual({ s: 'one' });
  });
});

describe('ovs_bridge', () => {
  const plan = async (args: object, reply: Reply) => {
    const snap = typeof reply === 'string' && !reply.includes('\n') ? withBridges(reply) : reply;
    return bothWays(snap, async (r, socket) => {
      if (socket) {
        const { probe, asked } = overSocket(r as string);
        const p = await ovsBridge.plan(ovsBridge.parse(args, at), probe, ctx());
        expect(asked).toEqual([['/var/run/openvswitch/db.sock', 'transact', SNAPSHOT_PARAMS, 10]]);
        return p;
      }
      const probe = fakeProbe([[new RegExp(`^${SNAPSHOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), r]]);
      const p = await ovsBridge.plan(ovsBridge.parse(args, at), probe, ctx());
      expect(probe.ran).toHaveLength(1);
      return p;
    });
  };

  it.each([
    ['bare', { name: 'obr0' }, OBR0_FRESH],
    ['stp off as on the host', { name: 'obr0', stp: false, rstp: false }, OBR0_FRESH],
    [
      'all settings match',
      { name: 'obr0', stp: true, datapath_type: 'netdev', other_config: { 'forward-bpdu': true }, fail_mode: 'secure' },
      OBR0_TUNED,
    ],
  ])('already matches (%s) → changed:false', async (_, args, reply) => {
    const p = await plan(args, reply);
    expect(p).toEqual({ changed: false, note: 'OVS bridge obr0' });
  });

  it('missing → one add-br transaction, checked by ovs-vsctl itself (no second ovs-vsctl)', async () => {
    const p = await plan({ name: 'obr0', datapath_type: 'netdev', stp: true }, NO_BRIDGES);
    expect(stepsOf(p)).toEqual([
      checked('ovs-vsctl --timeout=30 --may-exist add-br obr0 -- set bridge obr0 datapath_type=netdev stp_enable=true'),
    ]);
    expect(p.diff?.[0]).toEqual({ before: '(no OVS bridge obr0)\n', after: 'ovs bridge obr0\ndatapath_type=netdev\nstp_enable=true\n' });
  });

  it('missing, no settings → plain add-br', async () => {
    const p = await plan({ name: 'obr0' }, NO_BRIDGES);
    expect(stepsOf(p)).toEqual([checked('ovs-vsctl --timeout=30 --may-exist add-br obr0')]);
  });

  it('drift → only the differing columns are set', async () => {
    const p = await plan(
      { name: 'obr0', stp: true, rstp: false, other_config: { 'forward-bpdu': 'false', 'mac-aging-time': 300 } },
      OBR0_TUNED,
    );
    expect(stepsOf(p)).toEqual([
      verified('ovs-vsctl --timeout=30 set bridge obr0 other_config:forward-bpdu=false other_config:mac-aging-time=300', 'obr0'),
    ]);
  });

  it('values outside the plain-word syntax are OVSDB-quoted, then shell-quoted', async () => {
    const p = await plan({ name: 'obr0', other_config: { x: 'a b' } }, OBR0_FRESH);
    expect(stepsOf(p)).toEqual([verified(`ovs-vsctl --timeout=30 set bridge obr0 'other_config:x="a b"'`, 'obr0')]);
  });

  it('absent → del-br; already absent → nothing', async () => {
    expect(stepsOf(await plan({ name: 'obr0', state: 'absent' }, OBR0_FRESH))).toEqual(['ovs-vsctl --timeout=30 --if-exists del-br obr0']);
    expect(await plan({ name: 'obr0', state: 'absent' }, NO_BRIDGES)).toMatchObject({ changed: false });
  });

  it('reads the same snapshot as ovs_port, so a bridge and its ports cost one read of the database on the host', async () => {
    const b = fakeProbe([[/./, NO_BRIDGES]]);
    await ovsBridge.plan(ovsBridge.parse({ name: 'obr0' }, at), b, ctx());
    const p = fakeProbe([[/./, NO_BRIDGES]]);
    await ovsPort.plan(ovsPort.parse({ bridge: 'obr0', port: 'gre0', type: 'gre', options: { remote_ip: '10.0.0.2' } }, at), p, ctx());
    expect(b.ran).toEqual([SNAPSHOT]);
    expect(p.ran).toEqual([SNAPSHOT]);
  });

  it('the snapshot on a real shell: ovsdb-client answers; where it fails, ovs-vsctl does and its error is the one seen; a timeout is said', () => {
    const bin = mkdtempSync(join(tmpdir(), 'rb-ovs-read-'));
    const tool = (name: string, script: string) => writeFileSync(join(bin, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    const read = () => spawnSync('sh', ['-c', SNAPSHOT], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` } });
    try {
      tool('ovsdb-client', `echo '[{"rows":[]},{"rows":[]},{"rows":[]}]'`);
      tool('ovs-vsctl', 'echo vsctl ran >&2; exit 1');
      expect(read()).toMatchObject({ status: 0, stdout: '[{"rows":[]},{"rows":[]},{"rows":[]}]\n', stderr: '' });
      tool('ovsdb-client', 'echo "ovsdb-client: unrecognized option" >&2; exit 1');
      tool('ovs-vsctl', `printf '%s\\n' "$@" > ${bin}/args; echo 'ovs-vsctl: database connection failed' >&2; exit 1`);
      expect(read()).toMatchObject({ status: 1, stdout: '', stderr: 'ovs-vsctl: database connection failed\n' });
      expect(readFileSync(join(bin, 'args'), 'utf8').trim().split('\n').join(' ')).toBe(VSCTL_SNAPSHOT.replace(/^ovs-vsctl /, ''));
      // no answer within its --timeout (SIGALRM): said at once, not waited for a second time by ovs-vsctl
      tool('ovsdb-client', 'kill -ALRM $$');
      tool('ovs-vsctl', 'echo vsctl ran >&2; exit 1');
      expect(read()).toMatchObject({
        status: 1,
        stdout: '',
        stderr: 'ovsdb-client: the Open vSwitch database did not answer within 10 s\n',
      });
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('a select the database refuses (a column an old schema lacks) fails the plan with its error', async () => {
    const reply = '[{"rows":[]},{"error":"unknown column","details":"No column protected in table Port."},{"rows":[]}]\n';
    const probe = fakeProbe([[/^ovsdb-client /, reply]]);
    await expect(ovsBridge.plan(ovsBridge.parse({ name: 'obr0' }, at), probe, ctx())).rejects.toThrow(
      'ovsdb-client: unknown column: No column protected in table Port.',
    );
  });

  it('over the socket: no answer in 10 s fails at once; no socket, or an error reply, runs the command instead', async () => {
    const client = asClient(
      withBridges(
        '{"data":[["obr0",["set",[]],"netdev",false,false,["map",[]],["set",[]]]],"headings":["name","ports","datapath_type","stp_enable","rstp_enable","other_config","fail_mode"]}',
      ),
    ) as string;
    const socketSays = (answer: Awaited<ReturnType<NonNullable<Probe['jsonRpc']>>>) => {
      const probe = fakeProbe([[/^ovsdb-client /, client]]);
      return { probe, asking: { ...probe, jsonRpc: async () => answer } as Probe };
    };
    const timedOut = socketSays('timeout');
    expect(await readSnapshot(timedOut.asking)).toEqual({ failed: 'ovsdb-client: the Open vSwitch database did not answer within 10 s' });
    expect(timedOut.probe.ran).toEqual([]);
    for (const answer of [undefined, { result: null, error: 'unknown database' }]) {
      const s = socketSays(answer);
      expect(await readSnapshot(s.asking)).toMatchObject({ bridges: [{ name: 'obr0', datapath_type: 'netdev' }] });
      expect(s.probe.ran).toEqual([SNAPSHOT]);
    }
    // a select the database refuses, over the socket as from the command
    const refused = socketSays({
      result: [{ rows: [] }, { error: 'unknown column', details: 'No column protected in table Port.' }, { rows: [] }],
      error: null,
    });
    await expect(readSnapshot(refused.asking)).rejects.toThrow('ovsdb-client: unknown column: No column protected in table Port.');
  });

  it('ovsdb-server down → failed, pointing at ovs_service', async () => {
    const p = await plan({ name: 'obr0' }, { code: 1, stderr: DB_DOWN });
    expect(p.failed).toBe(
      'ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (No such file or directory): start ovsdb-server and ovs-vswitchd first (module ovs_service)',
    );
  });

  it('a user the socket refuses → failed, pointing at become (not at starting the daemons)', async () => {
    const p = await plan(
      { name: 'obr0' },
      { code: 1, stderr: 'ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (Permission denied)\n' },
    );
    expect(p.failed).toBe(
      "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (Permission denied): the database's socket is root's: run the task as root (become: true, no other become_user)",
    );
  });

  it('parse: bad fail_mode, unknown key', () => {
    expect(() => ovsBridge.parse({ name: 'obr0', fail_mode: 'secur' }, at)).toThrow(/fail_mode" must be one of standalone, secure/);
    expect(() => ovsBridge.parse({ name: 'obr0', datapath: 'netdev' }, at)).toThrow(PlaybookError);
  });
});

describe('ovs_port', () => {
  const PROBE = SNAPSHOT;
  /** The one-read reply: every interface, every port (with a _uuid), every bridge with its port uuids. */
  const on = (br: string, iface = GRE0_IFACE, port = GRE0_PORT_UNTAGGED) => {
    const portDoc = JSON.parse(port) as { data: unknown[][]; headings: string[] };
    const ports = JSON.stringify({
      data: portDoc.data.map((row) => [['uuid', `uuid-${row[0]}`], ...row]),
      headings: ['_uuid', ...portDoc.headings],
    });
    const bridges = JSON.stringify({
      data: [
        [br || 'br-other', br ? ['uuid', 'uuid-gre0'] : ['set', []]],
        ['br-phy', ['set', [['uuid', 'uuid-eth0']]]],
      ],
      headings: ['name', 'ports'],
    });
    return `${iface}\n${ports}\n${bridges}\n`;
  };
  const EMPTY =
    '{"data":[],"headings":["name","type","options","error"]}\n{"data":[],"headings":["_uuid","name","tag","protected"]}\n{"data":[],"headings":["name","ports"]}\n';
  const plan = async (args: object, reply: Reply) =>
    bothWays(reply, async (r, socket) => {
      if (socket) {
        const { probe, asked } = overSocket(r as string);
        const p = await ovsPort.plan(ovsPort.parse({ bridge: 'obr0', port: 'gre0', ...args }, at), probe, ctx());
        expect(asked).toHaveLength(1);
        return p;
      }
      const probe = fakeProbe([[/^ovsdb-client --timeout=10 transact /, r]]);
      const p = await ovsPort.plan(ovsPort.parse({ bridge: 'obr0', port: 'gre0', ...args }, at), probe, ctx());
      expect(probe.ran).toEqual([PROBE]);
      return p;
    });
  const gre = { type: 'gre', options: { remote_ip: '192.168.42.131', key: 5 } };

  it('already matches → changed:false, zero steps', async () => {
    expect(await plan(gre, on('obr0'))).toEqual({ changed: false, note: 'port obr0/gre0' });
    expect(await plan({ tag: 10 }, on('obr0', GRE0_IFACE, GRE0_PORT_TAG10))).toMatchObject({ changed: false });
  });

  it('missing → add-port and set interface in one transaction, verified in the same command', async () => {
    const p = await plan({ type: 'gre', options: { remote_ip: '192.168.42.131' } }, EMPTY);
    expect(stepsOf(p)).toEqual([
      verified(
        'ovs-vsctl --timeout=30 --may-exist add-port obr0 gre0 -- set interface gre0 type=gre options:remote_ip=192.168.42.131',
        'gre0',
      ),
    ]);
    expect(p.note).toBe('port obr0/gre0 added');
  });

  it('wrong remote_ip → only the set command', async () => {
    const p = await plan({ ...gre, options: { ...gre.options, remote_ip: '192.168.42.130' } }, on('obr0'));
    expect(stepsOf(p)).toEqual([verified('ovs-vsctl --timeout=30 set interface gre0 options:remote_ip=192.168.42.130', 'gre0')]);
    expect(p.diff?.[0]).toEqual({
      before: 'port obr0/gre0\noptions:remote_ip=192.168.42.131\n',
      after: 'port obr0/gre0\noptions:remote_ip=192.168.42.130\n',
    });
  });

  it('options are exact: a key the playbook dropped is removed', async () => {
    const p = await plan({ type: 'gre', options: { remote_ip: '192.168.42.131' } }, on('obr0'));
    expect(stepsOf(p)).toEqual([verified('ovs-vsctl --timeout=30 remove interface gre0 options key', 'gre0')]);
  });

  it('protected (split horizon) is set only when it drifts', async () => {
    expect(await plan({ ...gre, protected: true }, on('obr0', GRE0_IFACE, GRE0_PORT_PROTECTED))).toMatchObject({ changed: false });
    const p = await plan({ ...gre, protected: true }, on('obr0'));
    expect(stepsOf(p)).toEqual([verified('ovs-vsctl --timeout=30 set port gre0 protected=true', 'gre0')]);
  });

  it('wrong type and tag', async () => {
    const p = await plan({ ...gre, type: 'vxlan', tag: 3 }, on('obr0'));
    expect(stepsOf(p)).toEqual([verified('ovs-vsctl --timeout=30 set interface gre0 type=vxlan -- set port gre0 tag=3', 'gre0')]);
  });

  it('a tunnel port changes the OVS database only: links and routes planned ahead stay good; a kernel interface does not', async () => {
    const writes = async (args: object, reply: Reply) => (await plan(args, reply)).writes;
    expect(await writes(gre, EMPTY)).toEqual(['ovs']);
    expect(await writes({ ...gre, type: 'vxlan', tag: 3 }, on('obr0'))).toEqual(['ovs']);
    expect(await writes({ options: { remote_ip: '10.0.0.9' } }, on('obr0'))).toEqual(['ovs']);
    expect(await writes({ state: 'absent' }, on('obr0'))).toEqual(['ovs']);
    expect(await writes({ type: 'patch', options: { peer: 'p1' } }, EMPTY)).toEqual(['ovs']);
    // a kernel link joins, leaves or is made: the footprint's ovs and net
    expect(await writes({ type: 'internal' }, EMPTY)).toBeUndefined();
    expect(await writes({}, EMPTY)).toBeUndefined();
    expect(await writes({ type: 'gre', options: { remote_ip: '192.168.42.131' } }, on('obr0', GRE0_IFACE_ERROR))).toBeUndefined();
  });

  it('on another bridge → moved in one transaction', async () => {
    const p = await plan(gre, on('obr1'));
    expect(stepsOf(p)).toEqual([verified('ovs-vsctl --timeout=30 del-port obr1 gre0 -- --may-exist add-port obr0 gre0', 'gre0')]);
    expect(p.note).toBe('port obr0/gre0 moved from obr1');
  });

  it("the seed's half-added gre0 (error column set, no type) → set type and options, verification stays", async () => {
    const p = await plan({ type: 'gre', options: { remote_ip: '192.168.42.131' } }, on('obr0', GRE0_IFACE_ERROR));
    expect(stepsOf(p)).toEqual([verified('ovs-vsctl --timeout=30 set interface gre0 type=gre options:remote_ip=192.168.42.131', 'gre0')]);
  });

  it('the planned command (change, then error check) on a real shell: the failure names the interface', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const bin = mkdtempSync('/tmp/rb-ovs-shim-');
    const step = stepsOf(await plan({ type: 'gre', options: { remote_ip: '192.168.42.131' } }, EMPTY));
    expect(step).toHaveLength(1);
    // A stand-in ovs-vsctl: the write exits with writeRc (its message on stderr), `get` prints the error column.
    const run = (errorColumn: string, writeRc = 0) => {
      writeFileSync(
        `${bin}/ovs-vsctl`,
        `#!/bin/sh
case "$*" in *" get "*) cat <<'EOF'\n${errorColumn}\nEOF\n;; *) [ ${writeRc} = 0 ] || echo 'ovs-vsctl: no bridge named obr0' >&2; exit ${writeRc};; esac\n`,
        { mode: 0o755 },
      );
      try {
        execFileSync('sh', ['-c', step[0]!], { stdio: 'pipe', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
        return { code: 0, stderr: '' };
      } catch (e) {
        const x = e as { status: number; stderr: Buffer };
        return { code: x.status, stderr: x.stderr.toString() };
      }
    };
    expect(run('[]')).toEqual({ code: 0, stderr: '' });
    expect(run('"could not add network device gre0 to ofproto (Invalid argument)"')).toEqual({
      code: 1,
      stderr: 'ovs-vsctl: interface gre0: "could not add network device gre0 to ofproto (Invalid argument)"\n',
    });
    // A failed write ends the command with its own rc and message: the error column is not read.
    expect(run('"never read"', 1)).toEqual({ code: 1, stderr: 'ovs-vsctl: no bridge named obr0\n' });
    rmSync(bin, { recursive: true });
  });

  it('absent → del-port from the bridge it is on', async () => {
    expect(stepsOf(await plan({ state: 'absent' }, on('obr1')))).toEqual(['ovs-vsctl --timeout=30 --if-exists del-port obr1 gre0']);
  });

  it('db down → failed', async () => {
    const p = await plan(gre, { stdout: '', stderr: DB_DOWN, code: 1 });
    expect(p.failed).toMatch(/database connection failed.*module ovs_service/);
  });
});

describe('ovs_service', () => {
  it.each([
    ['a live pid', `${process.pid}\n`, 'yes'],
    ['a live pid without newline', `${process.pid}`, 'yes'],
    ['a dead pid', '999999999\n', 'no'],
    ['an empty file', '', 'no'],
    ['no file', null, 'no'],
  ])('the daemon check, run by a real shell: %s → %s', (_n, content, want) => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-ovs-'));
    if (content !== null) writeFileSync(join(dir, 'x.pid'), content);
    const r = spawnSync('/bin/sh', ['-c', alive(join(dir, 'x.pid'))], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect([r.stdout, r.stderr]).toEqual([`${want}\n`, '']);
  });

  const facts = (db: string, sock: string, ovsdb: string, vswitchd: string, bins = '') => sectioned({ db, sock, ovsdb, vswitchd, bins });
  const plan = async (reply: Reply, args: object = {}) => {
    const probe = fakeProbe([[/^echo @@db; \[ -f \/etc\/openvswitch\/conf.db \]/, reply]]);
    const p = await ovsService.plan(ovsService.parse(args, at), probe, ctx());
    expect(probe.ran).toHaveLength(1);
    return p;
  };
  const START_DB =
    'ovsdb-server --remote=punix:/run/openvswitch/db.sock --remote=db:Open_vSwitch,Open_vSwitch,manager_options --pidfile=/run/openvswitch/ovsdb-server.pid --detach --log-file=/var/log/openvswitch/ovsdb-server.log /etc/openvswitch/conf.db';
  const INIT = 'ovs-vsctl --db=unix:/run/openvswitch/db.sock --no-wait init';
  const START_SW =
    'ovs-vswitchd --pidfile=/run/openvswitch/ovs-vswitchd.pid --detach --log-file=/var/log/openvswitch/ovs-vswitchd.log unix:/run/openvswitch/db.sock';
  const MKDIR = 'mkdir -p /run/openvswitch /var/log/openvswitch /etc/openvswitch';

  it('running → no change', async () => {
    expect(await plan(facts('yes', 'yes', 'yes', 'yes'))).toEqual({ changed: false, note: 'Open vSwitch running' });
  });

  it('fresh host → create conf.db, start both, init', async () => {
    const p = await plan(facts('no', 'no', 'no', 'no'));
    expect(stepsOf(p)).toEqual([
      MKDIR,
      'ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema',
      START_DB,
      INIT,
      START_SW,
    ]);
  });

  it('only vswitchd died → start only vswitchd', async () => {
    expect(stepsOf(await plan(facts('yes', 'yes', 'yes', 'no')))).toEqual([MKDIR, START_SW]);
  });

  it('a non-default rundir reaches the daemons through OVS_RUNDIR', async () => {
    const probe = fakeProbe([[/^echo @@db/, facts('yes', 'no', 'no', 'yes')]]);
    const p = await ovsService.plan(ovsService.parse({ rundir: '/var/run/ovs' }, at), probe, ctx());
    expect(stepsOf(p)[1]).toMatch(/^env OVS_RUNDIR=\/var\/run\/ovs ovsdb-server --remote=punix:\/var\/run\/ovs\/db.sock /);
  });

  it('binaries missing → failed naming them', async () => {
    expect((await plan(facts('no', 'no', 'no', 'no', 'ovsdb-tool\novsdb-server\n'))).failed).toMatch(
      /^ovsdb-tool, ovsdb-server not found: install Open vSwitch/,
    );
  });

  it('stopped → kill by pidfile', async () => {
    expect(stepsOf(await plan(facts('yes', 'yes', 'yes', 'yes'), { state: 'stopped' }))).toEqual([
      'kill "$(cat /run/openvswitch/ovs-vswitchd.pid)"',
      'kill "$(cat /run/openvswitch/ovsdb-server.pid)"',
    ]);
  });

  it('parse rejects unknown keys and states', () => {
    expect(() => ovsService.parse({ state: 'started' }, at)).toThrow(/must be one of running, stopped/);
    expect(() => ovsService.parse({ run_dir: '/x' }, at)).toThrow(/unknown argument "run_dir"/);
  });
});
