// Starts ovsdb-server and ovs-vswitchd by hand where no init script does: the seed's "database connection failed" fix.
import { posix } from 'node:path';
import { cmd, quote } from '../../remote/quote.js';
import { defineModule, type Plan, type Step } from '../types.js';
import { section, sections } from './probe-text.js';

export interface OvsServiceArgs {
  state: 'running' | 'stopped';
  db: string;
  schema: string;
  rundir: string;
  logdir: string;
}

const RUNDIR = '/run/openvswitch';

interface Paths {
  sock: string;
  dbPid: string;
  swPid: string;
}

const pathsOf = (p: OvsServiceArgs): Paths => ({
  sock: posix.join(p.rundir, 'db.sock'),
  dbPid: posix.join(p.rundir, 'ovsdb-server.pid'),
  swPid: posix.join(p.rundir, 'ovs-vswitchd.pid'),
});

// read and kill -0 are builtins: no process on the host (a pid file without its newline still gives its pid).
export const alive = (pidfile: string) =>
  `p=; read -r p 2>/dev/null <${quote(pidfile)}; [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo yes || echo no`;

// Prints yes/no per fact, each in its own section: db, sock, ovsdb, vswitchd, bins.
export function ovsServiceProbe(p: OvsServiceArgs): string {
  const f = pathsOf(p);
  return [
    section('db', `[ -f ${quote(p.db)} ] && echo yes || echo no`),
    section('sock', `[ -S ${quote(f.sock)} ] && echo yes || echo no`),
    section('ovsdb', alive(f.dbPid)),
    section('vswitchd', alive(f.swPid)),
    section('bins', 'for b in ovsdb-tool ovsdb-server ovs-vsctl ovs-vswitchd; do command -v "$b" >/dev/null 2>&1 || echo "$b"; done'),
  ].join('; ');
}

const kill = (pidfile: string) => `kill "$(cat ${quote(pidfile)})"`;

export const ovsService = defineModule({
  name: 'ovs_service',
  doc: 'Starts ovsdb-server and ovs-vswitchd by hand where no init script does (creating conf.db first).',
  example: 'ovs_service: {}',
  args: {
    state: {
      choices: ['running', 'stopped'],
      default: 'running',
      description: 'running starts what is not running; stopped stops both daemons',
    },
    db: { type: 'path', default: '/etc/openvswitch/conf.db', description: 'the OVS database file' },
    schema: { type: 'path', default: '/usr/share/openvswitch/vswitch.ovsschema', description: 'schema used to create the database' },
    rundir: { type: 'path', default: RUNDIR, description: 'directory of the socket and pid files' },
    logdir: { type: 'path', default: '/var/log/openvswitch', description: "directory of the daemons' logs" },
  },
  build: (v): OvsServiceArgs => ({ ...v, state: v.state as OvsServiceArgs['state'] }),
  async plan(p, probe): Promise<Plan> {
    const r = await probe.run(ovsServiceProbe(p));
    const s = sections(r.stdout);
    const yes = (k: string) => s[k]?.trim() === 'yes';
    const f = pathsOf(p);
    const have = { db: yes('db'), sock: yes('sock'), ovsdb: yes('ovsdb'), vswitchd: yes('vswitchd') };
    const state = (h: typeof have) =>
      `ovsdb-server ${h.ovsdb ? 'running' : 'stopped'}\novs-vswitchd ${h.vswitchd ? 'running' : 'stopped'}\n`;
    const exec = (cmds: string[], after: typeof have, note: string): Plan => ({
      changed: true,
      steps: cmds.map((c): Step => ({ kind: 'exec', cmd: c })),
      diff: [{ before: state(have), after: state(after) }],
      note,
    });

    if (p.state === 'stopped') {
      const cmds = [...(have.vswitchd ? [kill(f.swPid)] : []), ...(have.ovsdb ? [kill(f.dbPid)] : [])];
      if (!cmds.length) return { changed: false, note: 'Open vSwitch stopped' };
      return exec(cmds, { ...have, ovsdb: false, vswitchd: false }, 'stopped Open vSwitch');
    }

    if (have.ovsdb && have.vswitchd && have.sock) return { changed: false, note: 'Open vSwitch running' };
    const missing = (s.bins ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (missing.length)
      return {
        changed: false,
        failed: `${missing.join(', ')} not found: install Open vSwitch (openvswitch-switch on apt, openvswitch on dnf/yum)`,
      };
    if (have.ovsdb && !have.sock)
      return {
        changed: false,
        failed: `ovsdb-server runs (pidfile ${f.dbPid}) but ${f.sock} is missing: it was started with another --remote; stop it or set rundir`,
      };

    // Control sockets (*.ctl) go to OVS_RUNDIR, which defaults to the compiled-in /run/openvswitch.
    const ovs = (bin: string, ...args: string[]) =>
      p.rundir === RUNDIR ? cmd(bin, ...args) : cmd('env', `OVS_RUNDIR=${p.rundir}`, bin, ...args);
    const cmds = [cmd('mkdir', '-p', ...new Set([p.rundir, p.logdir, posix.dirname(p.db)]))];
    if (!have.db) cmds.push(cmd('ovsdb-tool', 'create', p.db, p.schema));
    if (!have.ovsdb)
      cmds.push(
        ovs(
          'ovsdb-server',
          `--remote=punix:${f.sock}`,
          '--remote=db:Open_vSwitch,Open_vSwitch,manager_options',
          `--pidfile=${f.dbPid}`,
          '--detach',
          `--log-file=${posix.join(p.logdir, 'ovsdb-server.log')}`,
          p.db,
        ),
        ovs('ovs-vsctl', `--db=unix:${f.sock}`, '--no-wait', 'init'),
      );
    if (!have.vswitchd)
      cmds.push(
        ovs('ovs-vswitchd', `--pidfile=${f.swPid}`, '--detach', `--log-file=${posix.join(p.logdir, 'ovs-vswitchd.log')}`, `unix:${f.sock}`),
      );
    const started = [!have.ovsdb && 'ovsdb-server', !have.vswitchd && 'ovs-vswitchd'].filter(Boolean).join(' and ');
    return exec(cmds, { db: true, sock: true, ovsdb: true, vswitchd: true }, `started ${started}${have.db ? '' : ` (created ${p.db})`}`);
  },
});
