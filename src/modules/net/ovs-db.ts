// What ovs_bridge and ovs_port share: the database snapshot they plan from, ovs-vsctl's value syntax, and the check that add-br/add-port worked.
import type { RpcReply } from '../../remote/json-rpc.js';
import { cmd, quote } from '../../remote/quote.js';
import type { Probe, Step } from '../types.js';
import { firstError, parsedOnce } from './probe-text.js';

type ExecStep = Extract<Step, { kind: 'exec' }>;

/** Reads never wait for ovs-vswitchd; writes do, and a dead vswitchd must not hang the task forever. */
export const vsctlRead = (...args: string[]): string => cmd('ovs-vsctl', '--timeout=10', ...args);
export const vsctlWrite = (...args: string[]): string => cmd('ovs-vsctl', '--timeout=30', ...args);

// The columns ovs_port and ovs_bridge plan from, per table.
const SNAPSHOT_COLUMNS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Interface', ['name', 'type', 'options', 'error']],
  ['Port', ['_uuid', 'name', 'tag', 'protected']],
  ['Bridge', ['name', 'ports', 'datapath_type', 'stp_enable', 'rstp_enable', 'other_config', 'fail_mode']],
];

/**
 * One read of every interface, port and bridge: ovs_port and ovs_bridge both plan from it, and the executor runs
 * an identical probe of a batch once, so a mesh playbook (a bridge plus a port per peer) costs one read. The read is
 * one `ovsdb-client transact` of three selects: ovs-vsctl, which fetches the database's schema first, took 6.8 ms a
 * call on a lab host against 4.7 ms, and ovsdb-server ~60 % more work. Where ovsdb-client fails (not installed, an
 * option it does not know), ovs-vsctl reads the same columns, and its errors are the ones reported; where the database
 * does not answer within the time (ovsdb-client's --timeout ends it with SIGALRM, 142), that is the error, at once.
 */
const SNAPSHOT_TRANSACT = ['Open_vSwitch', ...SNAPSHOT_COLUMNS.map(([table, columns]) => ({ op: 'select', table, where: [], columns }))];
const NO_ANSWER = 'ovsdb-client: the Open vSwitch database did not answer within 10 s';

export const OVS_SNAPSHOT = `${cmd('ovsdb-client', '--timeout=10', 'transact', JSON.stringify(SNAPSHOT_TRANSACT))} 2>/dev/null || { rb_oc=$?; if [ $rb_oc = 142 ]; then echo '${NO_ANSWER}' >&2; false; else ${vsctlRead(
  '--format=json',
  ...SNAPSHOT_COLUMNS.flatMap(([table, columns]) => ['--', `--columns=${columns.join(',')}`, 'list', table.toLowerCase()]),
)}; fi; }`;

export type OvsValue = string | number | boolean | string[] | Record<string, string> | undefined;

// ["map", [[k, v]…]] → object, ["set", []] → undefined, ["set", [a, b]] → [a, b], ["uuid", u] → u.
function decode(v: unknown): OvsValue {
  if (!Array.isArray(v)) return v as OvsValue;
  // indexes, not destructuring: every column of every row of every host's snapshot comes here, in unoptimised code
  const tag = v[0] as string;
  const body = v[1];
  if (tag === 'map') {
    const pairs = body as Array<[unknown, unknown]>;
    const out: Record<string, string> = {};
    for (let i = 0; i < pairs.length; i++) {
      const k = String(pairs[i]![0]);
      const x = String(pairs[i]![1]);
      // as Object.fromEntries would: a key named __proto__ is a key, never the object's prototype
      if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
      else out[k] = x;
    }
    return out;
  }
  if (tag === 'set') {
    const list = body as unknown[];
    const items: string[] = [];
    for (let i = 0; i < list.length; i++) items.push(String(decode(list[i])));
    return items.length === 0 ? undefined : items.length === 1 ? items[0] : items;
  }
  return String(body);
}

/** Rows of one `ovs-vsctl --format=json list` reply, column name → decoded value. */
export function ovsRows(json: string | undefined): Array<Record<string, OvsValue>> {
  const t = json?.trim();
  if (!t) return [];
  const { data, headings } = JSON.parse(t) as { data: unknown[][]; headings: string[] };
  return data.map((row) => Object.fromEntries(headings.map((h, i) => [h, decode(row[i])])));
}

/** Value syntax of `ovs-vsctl set`: plain words as is, anything else as an OVSDB quoted string. */
export const ovsAtom = (s: string): string => (/^[A-Za-z0-9_.:/-]+$/.test(s) && s !== '' ? s : JSON.stringify(s));

/** ovs-vsctl can print "Error detected while setting up" and exit 0: fail with the Interface's error column. */
export function verifyInterface(name: string): ExecStep {
  const get = vsctlRead('get', 'interface', name, 'error');
  return {
    kind: 'exec',
    cmd:
      `err=$(${get} 2>&1) || { echo "$err" >&2; exit 1; }; ` +
      `[ "$err" = '[]' ] || { echo ${quote(`ovs-vsctl: interface ${name}: `)}"$err" >&2; exit 1; }`,
  };
}

/** verifyInterface for several interfaces in one ovs-vsctl: one `get` per interface, one reply line each, in order. */
export function verifyInterfaces(names: string[]): ExecStep {
  const get = vsctlRead(...names.flatMap((n) => ['--', 'get', 'interface', n, 'error']));
  const list = names.map(quote).join(' ');
  return {
    kind: 'exec',
    cmd:
      `out=$(${get} 2>&1) || { echo "$out" >&2; exit 1; }; ` +
      `printf '%s\n' "$out" | { bad=0; for n in ${list}; do IFS= read -r err; ` +
      `[ "$err" = '[]' ] || { echo "ovs-vsctl: interface $n: $err" >&2; bad=1; }; done; exit $bad; }`,
  };
}

/**
 * A write whose new interfaces ovs-vsctl checks itself: after ovs-vswitchd has reconfigured, it reads back every
 * interface the transaction inserted (add-br, add-port) and prints "Error detected while setting up 'NAME'…" for one
 * that failed, exiting 0 (OVS 2.5 and later). That line, kept on stderr, fails the step: no second ovs-vsctl to read the
 * error column. Interfaces only changed (`set`) are not checked by it: `verify` reads theirs.
 */
export function writeChecked(write: string, verify?: ExecStep): Step {
  const run =
    `{ rb_e=$(${write} 2>&1 >&3); } 3>&1; rb_r=$?; [ -z "$rb_e" ] || printf '%s\n' "$rb_e" >&2; ` +
    `[ "$rb_r" -eq 0 ] || exit "$rb_r"; case $rb_e in *'Error detected while setting up'*) exit 1 ;; esac`;
  return { kind: 'exec', cmd: verify ? `${run}; ${verify.cmd}` : run };
}

/**
 * The change and its error check in one command (one frame on the host): the write's own failure ends it with the
 * write's rc and stderr; otherwise `verify` (verifyInterface/verifyInterfaces) reads the error columns.
 */
export function writeVerified(write: string, verify: ExecStep): Step {
  return { kind: 'exec', cmd: `${write} || exit; ${verify.cmd}` };
}

/** A probe that could not reach ovsdb-server explains how to start it. */
export function ovsProbeFailure(stderr: string): string {
  const line = firstError(stderr, 'ovs-vsctl failed');
  if (/command not found|not found/.test(line) && /ovs-vsctl/.test(line))
    return `${line}: install Open vSwitch first (package openvswitch-switch / openvswitch)`;
  // the socket is there but not for this user (root's, mode 0750): starting the daemons would not help
  if (/database connection failed \(Permission denied\)/.test(line))
    return `${line}: the database's socket is root's: run the task as root (become: true, no other become_user)`;
  if (/database connection failed/.test(line)) return `${line}: start ovsdb-server and ovs-vswitchd first (module ovs_service)`;
  return line;
}

/** `ovs-vsctl list` of a missing record fails with 'no row "x" in table T': that means absent, not an error. */

type Rows = ReadonlyArray<Readonly<Record<string, OvsValue>>>;
interface Snapshot {
  ifaces: Rows;
  ports: Rows;
  bridges: Rows;
}

// Every port of a loop over peers plans from the same snapshot text: on 20 hosts × 19 peers, parsing it per port was
// ~100 ms of the controller's CPU.
const parsed = new Map<string, Snapshot>();

/**
 * The snapshot's three tables (shared between callers: read, never modify), from ovsdb-client's reply (one JSON
 * array, a result per select) or ovs-vsctl's (one JSON document per table, a line each).
 */
export function snapshotTables(stdout: string): Snapshot {
  return parsedOnce(parsed, stdout, (text) => {
    const t = text.trim();
    return t.startsWith('[') ? tablesOf(JSON.parse(t)) : tablesFrom(t.split('\n').map((l) => ovsRows(l)));
  });
}

const tablesFrom = ([ifaces = [], ports = [], bridges = []]: Rows[]): Snapshot => ({ ifaces, ports, bridges });
const tablesOf = (results: unknown): Snapshot => tablesFrom(selectRows(results));

/** The rows of each select of a transact reply; a select the database refused is an error. */
function selectRows(results: unknown): Array<Array<Record<string, OvsValue>>> {
  if (!Array.isArray(results)) throw new Error('ovsdb-client: the reply is not a list of results');
  return (results as Array<{ rows?: Array<Record<string, unknown>>; error?: string; details?: string }>).map((r) => {
    if (!r?.rows) throw new Error(`ovsdb-client: ${[r?.error ?? 'no rows in the reply', r?.details].filter(Boolean).join(': ')}`);
    // plain loops: each host decodes its reply once, too few times for V8 to optimise entries/fromEntries chains
    const rows: Array<Record<string, OvsValue>> = [];
    for (const row of r.rows) {
      const out: Record<string, OvsValue> = {};
      for (const k in row) if (Object.hasOwn(row, k) && k !== '__proto__') out[k] = decode(row[k]);
      rows.push(out);
    }
    return rows;
  });
}

/**
 * Where ovsdb-client and ovs-vsctl find the database when OVS_RUNDIR is not set (/var/run is /run on current
 * systems): the socket runbook asks directly.
 */
export const OVSDB_SOCKET = '/var/run/openvswitch/db.sock';

type Row = Readonly<Record<string, OvsValue>>;
/** A snapshot's rows by name, and the bridge each port uuid is on. */
export interface SnapshotIndex {
  iface: Map<string, Row>;
  port: Map<string, Row>;
  bridgeOfPort: Map<string, Row>;
}
const indexes = new WeakMap<Snapshot, SnapshotIndex>();
const byName = (rows: Rows) => new Map(rows.map((r) => [String(r.name), r]));

/**
 * Made once per snapshot: every port of a loop looks its rows up there, where a search of each table per port grew
 * with the square of the mesh (a bridge's port list scanned for every port).
 */
export function snapshotIndex(s: Snapshot): SnapshotIndex {
  let ix = indexes.get(s);
  if (!ix) {
    const bridgeOfPort = new Map<string, Row>();
    for (const b of s.bridges) {
      const ports = b.ports === undefined ? [] : Array.isArray(b.ports) ? b.ports : [b.ports];
      for (const u of ports) if (!bridgeOfPort.has(String(u))) bridgeOfPort.set(String(u), b);
    }
    indexes.set(s, (ix = { iface: byName(s.ifaces), port: byName(s.ports), bridgeOfPort }));
  }
  return ix;
}

// A reply is shared by every port of the loop that asked for it: its tables are decoded once.
const fromReply = new WeakMap<RpcReply, Snapshot>();

/**
 * The snapshot ovs_port and ovs_bridge plan from. Over SSH it is one transact request on ovsdb-server's socket (a
 * streamlocal channel: sshd connects, no program starts on the host; ovsdb-client cost a lab host 4.1 ms of CPU a
 * call, the request 0.55 ms of sshd's and ovsdb-server's, 200 calls each). Where that cannot be asked (forwarding off in sshd, another user than the login one, no socket at
 * the default path, an error reply), OVS_SNAPSHOT runs, and its errors are the ones reported.
 */
export async function readSnapshot(probe: Probe): Promise<Snapshot | { failed: string }> {
  const r = await probe.jsonRpc?.(OVSDB_SOCKET, 'transact', SNAPSHOT_TRANSACT, 10);
  if (r === 'timeout') return { failed: NO_ANSWER };
  if (r && r.error === null) {
    let t = fromReply.get(r);
    if (!t) fromReply.set(r, (t = tablesOf(r.result)));
    return t;
  }
  const out = await probe.run(OVS_SNAPSHOT);
  if (out.code !== 0) return { failed: ovsProbeFailure(out.stderr) };
  return snapshotTables(out.stdout);
}
