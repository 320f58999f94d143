// Facts come from ONE round trip: a single script prints every section Ansible's collectors read, and the
// controller turns it into Ansible's fact names (src/executor/facts-parse.ts). setup refreshes them mid-play.
import { readLines } from '../remote/quote.js';
import type { ExecResult } from '../shared/exec.js';
import { distributionFacts, hardwareFacts, networkFacts, platformFacts, sections, userFacts } from './facts-parse.js';

/** Ansible's gather_subset names that select a part of the script; `min` is always gathered unless `!min`. */
export const FACT_SUBSETS = ['all', 'min', 'hardware', 'network', 'virtual', 'ohai', 'facter'] as const;
type Part = 'min' | 'hardware' | 'network';

// Ansible's collector names: accepted in gather_subset (runbook gathers their part of the facts).
export const COLLECTORS = [
  'apparmor',
  'caps',
  'cmdline',
  'date_time',
  'distribution',
  'dns',
  'env',
  'fips',
  'local',
  'lsb',
  'pkg_mgr',
  'platform',
  'python',
  'selinux',
  'service_mgr',
  'ssh_pub_keys',
  'user',
  'devices',
  'dmi',
  'mounts',
  'interfaces',
  'default_ipv4',
  'default_ipv6',
  'all_ipv4_addresses',
  'all_ipv6_addresses',
  'virtualization',
];

/** A gather_subset entry that is neither a subset nor a collector name (a template is checked when rendered). */
export function badSubset(entry: string): boolean {
  const name = entry.trim().replace(/^!/, '');
  return !(FACT_SUBSETS as readonly string[]).includes(name) && !COLLECTORS.includes(name) && !entry.includes('{{');
}

/** Which parts a gather_subset list asks for, as Ansible reads it: `all`, names, `!name`; `!all` leaves min. */
export function subsetParts(subset: readonly string[]): Set<Part> {
  const want = new Set<string>();
  const drop = new Set<string>();
  for (const raw of subset.length ? subset : ['all']) {
    const s = raw.trim();
    if (s.startsWith('!')) drop.add(s.slice(1));
    else want.add(s);
  }
  const parts = new Set<Part>(['min']);
  const every: Part[] = ['hardware', 'network'];
  if (want.has('all') || (!want.size && !drop.has('all'))) for (const p of every) parts.add(p);
  for (const p of every) if (want.has(p)) parts.add(p);
  if (drop.has('all')) for (const p of every) if (!want.has(p)) parts.delete(p);
  for (const p of every) if (drop.has(p)) parts.delete(p);
  if (drop.has('min') && !want.has('min')) parts.delete('min');
  return parts;
}

// Every spawn costs the host a few milliseconds (times every host sharing a machine): small files are read with
// the shell's own `read` (c), and a value already in hand is not asked for twice.
const READ_FN = `c() { ${readLines('"$1"')}; } 2>/dev/null`;

const MIN = [
  'echo @@uname; UN=$(uname -snrvm); echo "$UN"',
  'echo @@osrel; c /etc/os-release || c /usr/lib/os-release',
  'echo @@lsbrel; c /etc/lsb-release',
  'echo @@debver; c /etc/debian_version',
  'echo @@bins; for b in apt-get dnf yum zypper apk pacman systemctl initctl lsb_release brctl ovs-vsctl docker; do command -v "$b" 2>/dev/null; done',
  // /sbin/init's target counts only when PID 1 calls itself init or is a shell (serviceMgr in facts-parse.ts)
  'echo @@init; P1=; read -r P1 </proc/1/comm 2>/dev/null; [ -z "$P1" ] || echo "$P1"; case "$P1" in ""|init|*sh) [ -L /sbin/init ] && echo "link $(readlink /sbin/init)";; esac',
  'echo @@paths; for p in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/ /etc/init/ /sbin/openrc /etc/init.d/ /sys/fs/selinux/enforce; do [ -e "$p" ] && echo "$p"; done',
  'echo @@selinux; if [ -e /sys/fs/selinux/enforce ]; then echo "enforce $(c /sys/fs/selinux/enforce)"; echo "policyvers $(c /sys/fs/selinux/policyvers)"; grep -E "^SELINUX(TYPE)?=" /etc/selinux/config 2>/dev/null; fi',
  'echo @@id; I=$(id); echo "$I"',
  'echo @@passwd; U=${I#uid=}; getent passwd "${U%%(*}" 2>/dev/null',
  'echo @@fqdn; set -f; set -- $UN; set +f; getent hosts "$2" 2>/dev/null',
  'echo @@dns; c /etc/resolv.conf',
  // the zone's DST name needs two more dates, not worth asking UTC for
  `echo @@date; D=$(date '+%Y %m %d %H %M %S %s %N %z %Z %A %w %W'); echo "$D"; case "$D" in *" +0000 UTC "*) ;; *) for d in 01-15 07-15; do date -d "2001-$d" '+dst %Z %z' 2>/dev/null; done ;; esac`,
  'echo @@python; for p in python3 python; do P=$(command -v "$p" 2>/dev/null) && { echo "$P"; "$P" -V 2>&1; break; }; done',
  'echo @@env; env',
];

const HARDWARE = (timeout: number) => [
  'echo @@meminfo; c /proc/meminfo',
  "echo @@cpuinfo; grep -E '^(processor|vendor_id|model name|Processor|cpu|Vendor|physical id|core id|cpu cores|siblings|# processors|ncpus active)[[:space:]]*:' /proc/cpuinfo 2>/dev/null",
  'echo @@nproc; nproc 2>/dev/null',
  'echo @@mounts; cat /proc/mounts 2>/dev/null',
  // bind mounts (a root other than / in mountinfo): Ansible adds "bind" to their options, as findmnt shows them
  'echo @@binds; awk \'$4 != "/" {print $5}\' /proc/self/mountinfo 2>/dev/null',
  // gather_timeout bounds the one collector that can hang (df on a dead network mount), as in Ansible
  `echo @@df; if command -v timeout >/dev/null 2>&1; then timeout ${timeout} df -P -k 2>/dev/null; else df -P -k 2>/dev/null; fi`,
];

const NETWORK = [
  'echo @@sysnet; grep -s -H . /sys/class/net/*/address /sys/class/net/*/mtu /sys/class/net/*/operstate /sys/class/net/*/type /sys/class/net/*/flags /sys/class/net/*/speed /sys/class/net/*/bridge/bridge_id /sys/class/net/*/bridge/stp_state /sys/class/net/*/bonding/slaves /sys/class/net/*/bonding/mode 2>/dev/null; for f in /sys/class/net/*/brif/*; do [ -e "$f" ] && echo "$f:brif"; done',
  'echo @@addr; ip -o addr show 2>/dev/null',
  'echo @@route4; ip -4 route get 8.8.8.8 2>/dev/null',
  'echo @@route6; ip -6 route get 2404:6800:400a:800::1012 2>/dev/null',
];

/** The probe script for some parts of the facts (gather_timeout in seconds for the mounts' sizes). */
export function factsScript(parts: Set<Part> = subsetParts(['all']), timeout = 10): string {
  // The platform and OS sections are read even without min: the other parts need the architecture and family.
  const lines = [READ_FN, ...(parts.has('min') ? MIN : MIN.slice(0, 2))];
  if (parts.has('hardware')) lines.push(...HARDWARE(timeout));
  if (parts.has('network')) lines.push(...NETWORK);
  // Held by the shell and sent in one write: line by line, each echo was its own SSH packet on a busy host.
  return `rb_f=$(${lines.join('; ')}\n); printf '%s\\n' "$rb_f"`;
}

/** The implicit "Gathering Facts" of a play: everything. */
export const FACTS_SCRIPT = factsScript();

/**
 * Ansible-named facts from the script's output: every fact as `ansible_<name>`, and all of them under
 * `ansible_facts` without the prefix (`ansible_facts.os_family`), plus runbook_bins for runbook's own modules.
 */
export function parseFacts(r: ExecResult, opts: { parts?: Set<Part>; subset?: string[] } = {}): Record<string, unknown> {
  const parts = opts.parts ?? subsetParts(['all']);
  const s = sections(r.stdout);
  const facts: Record<string, unknown> = {};
  const platform = platformFacts(s);
  const dist = distributionFacts(s, platform);
  if (parts.has('min')) Object.assign(facts, platform, dist, userFacts(s, platform, dist));
  if (parts.has('hardware')) Object.assign(facts, hardwareFacts(s, String(platform.architecture ?? '')));
  if (parts.has('network')) Object.assign(facts, networkFacts(s));
  facts.gather_subset = opts.subset ?? ['all'];
  facts.module_setup = true;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(facts)) out[`ansible_${k}`] = v;
  const bins = (s.bins ?? []).map((p) => p.split('/').pop()!);
  return { ...out, ansible_facts: facts, runbook_bins: bins };
}

/** Glob (fnmatch: `*`, `?`, `[…]`) over the prefixed fact names, as setup's filter is. */
export function factFilter(patterns: readonly string[]): (name: string) => boolean {
  if (!patterns.length) return () => true;
  const res = patterns.map((p) => new RegExp(`^${globToRegex(p)}$`));
  return (name) => res.some((re) => re.test(name));
}

function globToRegex(p: string): string {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        const body = p.slice(i + 1, end);
        out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return out;
}
