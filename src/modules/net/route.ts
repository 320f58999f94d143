// A static route (to a peer's container subnet), changed in place with `ip route replace` and optionally persisted.

import { cmd } from '../../remote/quote.js';
import { defineModule, type Plan, type Probe, type Step, type TaskContext } from '../types.js';
import { planFileUpdate } from './file-update.js';
import { ipBatch } from './ip-batch.js';
import { ifname, isCidr, optIpv4, routeDest } from './net-args.js';
import { fileSection, firstError, jsonOf, parsedOnce, section, sections } from './probe-text.js';

export interface RouteArgs {
  to: string;
  via?: string;
  dev?: string;
  metric?: number;
  state: 'present' | 'absent';
  persist: 'none' | 'rhel' | 'debian';
}

interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
}

// Debian/Ubuntu with ifupdown: a hook it runs each time an interface comes up. Not an interfaces.d file: there a
// bare `up` line outside an `iface` stanza is a parse error that would stop networking at boot.
export const DEBIAN_ROUTES = '/etc/network/if-up.d/runbook-routes';
const DEBIAN_HEADER = [
  '#!/bin/sh',
  '# Managed by runbook (route persist: debian): ifupdown runs this each time an interface comes up.',
  '# A route whose gateway is not reachable yet fails quietly here and is added at a later interface.',
];

// The main table as read by one probe, shared by every route of a loop (read, never modified).
const probed = new Map<string, { s: Record<string, string | undefined>; routes: IpRoute[] | undefined }>();

/** ip prints a /32 as the bare address. */
const shown = (to: string) => (to.endsWith('/32') ? to.slice(0, -3) : to);

export function persistPath(p: RouteArgs): string | undefined {
  if (p.persist === 'rhel') return `/etc/sysconfig/network-scripts/route-${p.dev}`;
  if (p.persist === 'debian') return DEBIAN_ROUTES;
  return undefined;
}

const spec = (p: RouteArgs, metric = p.metric): string[] => [
  p.to,
  ...(p.via ? ['via', p.via] : []),
  ...(p.dev ? ['dev', p.dev] : []),
  ...(metric !== undefined ? ['metric', String(metric)] : []),
];

// The persisted line for this destination, and a test for lines that configure the same destination.
function persistLine(p: RouteArgs): { line: string; same: (l: string) => boolean } {
  const words = spec(p).join(' ');
  if (p.persist === 'rhel') return { line: words, same: (l) => l.trim().split(/\s+/)[0] === p.to };
  const prefix = `ip route replace ${p.to} `;
  return { line: `ip route replace ${words} 2>/dev/null || true`, same: (l) => `${l.trim()} `.startsWith(prefix) };
}

async function planPersist(p: RouteArgs, old: string | undefined, probe: Probe, ctx: TaskContext): Promise<Plan | undefined> {
  const path = persistPath(p);
  if (!path) return undefined;
  const { line, same } = persistLine(p);
  const lines = (old ?? '').split('\n').filter((l, i, all) => !(i === all.length - 1 && l === ''));
  // The hook is a script: it starts with its header, whatever the file held before.
  if (p.persist === 'debian' && !lines[0]?.startsWith('#!')) lines.unshift(...DEBIAN_HEADER);
  const kept = lines.filter((l) => !same(l));
  const at = lines.findIndex(same);
  if (p.state === 'present') kept.splice(at < 0 ? kept.length : at, 0, line);
  const next = kept.length ? `${kept.join('\n')}\n` : '';
  if (next === (old ?? '') || (old === undefined && p.state === 'absent')) return undefined;
  const mode = p.persist === 'debian' ? '0755' : undefined;
  return planFileUpdate(probe, ctx, { dest: path, content: Buffer.from(next), old: old === undefined ? null : Buffer.from(old), mode });
}

/** One route's `ip` words (after `ip`), for merging a loop's routes into one `ip -batch`. */
export interface RouteBatch {
  to: string;
  line: string[];
}

/** A loop's routes in one `ip -batch -` (one process, one netlink session); two items for one destination go one by one. */
export function mergeRoutes(batches: RouteBatch[]): Step[] | undefined {
  if (!batches.length || new Set(batches.map((b) => shown(b.to))).size < batches.length) return undefined;
  const text = ipBatch(batches.map((b) => b.line));
  if (text) return [{ kind: 'exec', cmd: text }];
  return [{ kind: 'exec', cmd: cmd('ip', '-batch', '-'), stdin: batches.map((b) => `${b.line.join(' ')}\n`).join('') }];
}

export const route = defineModule({
  name: 'route',
  doc: 'A static route, changed in place with `ip route replace` and optionally persisted.',
  example: 'route: {to: 192.168.2.0/24, via: 192.168.42.131}',
  args: {
    to: { required: true, check: routeDest, description: 'destination: a network such as 192.168.2.0/24, an address, or default' },
    via: { check: optIpv4, description: 'gateway address' },
    dev: { check: ifname, description: 'outgoing interface (persist=rhel writes route-<dev>)' },
    metric: { type: 'int', description: 'route metric' },
    state: { choices: ['present', 'absent'], default: 'present', description: 'absent deletes the route (with metric: only that one)' },
    persist: {
      choices: ['none', 'rhel', 'debian'],
      default: 'none',
      description: 'rhel: a line in network-scripts/route-<dev>; debian: the ifupdown hook /etc/network/if-up.d/runbook-routes',
    },
  },
  required_if: [
    ['state', 'present', ['via', 'dev'], true],
    ['persist', 'rhel', ['dev']],
  ],
  build: (v): RouteArgs => ({
    to: v.to,
    via: v.via,
    dev: v.dev,
    metric: v.metric,
    state: v.state as RouteArgs['state'],
    persist: v.persist as RouteArgs['persist'],
  }),
  merge: (batches) => mergeRoutes(batches as RouteBatch[]),
  async plan(p, probe, ctx): Promise<Plan> {
    const file = persistPath(p);
    // The whole main table, the same command for every route: a loop over peers reads it once.
    const r = await probe.run(
      [section('routes', cmd('ip', '-j', 'route', 'show')), ...(file ? [fileSection('file', file)] : [])].join('; '),
    );
    const { s, routes } = parsedOnce(probed, r.stdout, (text) => {
      const s = sections(text);
      return { s, routes: jsonOf<IpRoute[]>(s.routes) };
    });
    if (!routes) return { changed: false, failed: firstError(r.stderr, `cannot read routes to ${p.to}`) };
    const dst = isCidr(p.to) ? shown(p.to) : p.to;
    const mine = routes.filter((x) => x.dst === dst);
    const fmt = (x: IpRoute) =>
      [x.dst, x.gateway && `via ${x.gateway}`, x.dev && `dev ${x.dev}`, x.metric !== undefined && `metric ${x.metric}`]
        .filter(Boolean)
        .join(' ');
    const before = mine.length ? mine.map((x) => `${fmt(x)}\n`).join('') : `(no route to ${p.to})\n`;
    const steps: Step[] = [];
    let after = before;
    let words: string[] | undefined;

    if (p.state === 'absent') {
      const gone = p.metric === undefined ? mine : mine.filter((x) => (x.metric ?? 0) === p.metric);
      for (const x of gone) steps.push({ kind: 'exec', cmd: cmd('ip', 'route', 'del', p.to, 'metric', String(x.metric ?? 0)) });
      const left = mine.filter((x) => !gone.includes(x));
      after = left.length ? left.map((x) => `${fmt(x)}\n`).join('') : `(no route to ${p.to})\n`;
    } else {
      const target = mine.find((x) => (x.metric ?? 0) === (p.metric ?? x.metric ?? 0)) ?? (mine.length === 1 ? mine[0] : undefined);
      const ok =
        target &&
        target.gateway === p.via &&
        (p.dev === undefined || target.dev === p.dev) &&
        (p.metric === undefined || (target.metric ?? 0) === p.metric);
      if (!ok) {
        const metric = p.metric ?? target?.metric;
        if (target && (target.metric ?? 0) !== (metric ?? 0))
          steps.push({ kind: 'exec', cmd: cmd('ip', 'route', 'del', p.to, 'metric', String(target.metric ?? 0)) });
        words = spec(p, metric);
        steps.push({ kind: 'exec', cmd: cmd('ip', 'route', 'replace', ...words) });
        after = `${fmt({ dst, gateway: p.via, dev: p.dev ?? target?.dev, metric })}\n`;
      }
    }

    const persisted = await planPersist(p, s.file, probe, ctx);
    if (persisted?.failed) return persisted;
    const allSteps = [...steps, ...(persisted?.steps ?? [])];
    const note = p.state === 'absent' ? `no route to ${p.to}` : spec(p).join(' ');
    if (!allSteps.length) return { changed: false, note };
    // A lone `ip route replace` (idempotent) can join the loop's `ip -batch`; deletions and files go one by one.
    const replace = !persisted && steps.length === 1 && words ? { to: p.to, line: ['route', 'replace', ...words] } : undefined;
    return {
      changed: true,
      steps: allSteps,
      ...(replace ? { batch: replace satisfies RouteBatch } : {}),
      diff: [...(steps.length ? [{ before, after }] : []), ...(persisted?.diff ?? [])],
      note: steps.length ? note : `${note} (persisted)`,
    };
  },
});
