// Facts come from ONE round trip: a single script prints every section Ansible's collectors read, and the
// controller turns it into Ansible's fact names (src/executor/facts-parse.ts). setup refreshes them mid-play.
import { readLines } from '../remote/quote.js';
import type { ExecResult } from '../shared/exec.js';
import {
  distributionFacts,
  hardwareFacts,
  lsbFacts,
  minFacts,
  networkFacts,
  pkgMgr,
  platformFacts,
  sections,
  serviceMgr,
} from './facts-parse.js';

/** Ansible's gather_subset names that select a part of the script; `min` is always gathered unless `!min`. */
export const FACT_SUBSETS = ['all', 'min', 'hardware', 'network', 'virtual', 'ohai', 'facter'] as const;

// ansible-core 2.14's minimal_gather_subset: what `min` is, and what is gathered whatever else is asked unless `!min`.
const MIN_COLLECTORS = [
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
] as const;

// The other collectors' names, each standing for the part of the script that gathers it (mounts → hardware).
const ALIASES: Record<string, string> = {
  devices: 'hardware',
  dmi: 'hardware',
  mounts: 'hardware',
  interfaces: 'network',
  default_ipv4: 'network',
  default_ipv6: 'network',
  all_ipv4_addresses: 'network',
  all_ipv6_addresses: 'network',
  virtualization: 'virtual',
};

// Ansible's collector names: accepted in gather_subset.
export const COLLECTORS = [...MIN_COLLECTORS, ...Object.keys(ALIASES)];

// required_facts of Ansible's collectors: asking for one gathers these too (pkg_mgr needs the distribution).
const REQUIRES: Record<string, string[]> = {
  pkg_mgr: ['distribution'],
  service_mgr: ['platform', 'distribution'],
  network: ['platform', 'distribution'],
  hardware: ['platform'],
};

/** What a gather_subset selects: collector names (platform, distribution, …) and the parts hardware and network. */
export type FactParts = Set<string>;

/** A gather_subset entry that is neither a subset nor a collector name (a template is checked when rendered). */
export function badSubset(entry: string): boolean {
  const name = entry.trim().replace(/^!/, '');
  return !(FACT_SUBSETS as readonly string[]).includes(name) && !COLLECTORS.includes(name) && !entry.includes('{{');
}

/**
 * The collectors a gather_subset list selects, as ansible-core's get_collector_names reads it: `min` first, then
 * each entry (`all`, a name, `!name`, `!all` = all but min, `!min`), exclusions applied except to names asked for
 * explicitly, then every collector's requirements. An empty list is `all`. Aliases count as their part.
 */
export function subsetParts(subset: readonly string[]): FactParts {
  const valid = new Set<string>([...MIN_COLLECTORS, 'hardware', 'network', 'virtual', 'ohai', 'facter']);
  const min = new Set<string>(MIN_COLLECTORS);
  const add = new Set<string>();
  const drop = new Set<string>();
  const explicit = new Set<string>();
  for (const raw of ['min', ...(subset.length ? subset : ['all'])]) {
    const s = raw.trim();
    const neg = s.startsWith('!');
    const name = neg ? s.slice(1) : s;
    // excluding a collector's other name (!mounts) leaves its part selected by its own name, as in Ansible
    if (neg && ALIASES[name]) continue;
    const to = neg ? drop : add;
    if (name === 'min') {
      for (const c of min) to.add(c);
    } else if (name === 'all') {
      for (const c of valid) if (!neg || !min.has(c)) to.add(c);
    } else {
      to.add(ALIASES[name] ?? name);
      if (!neg) explicit.add(ALIASES[name] ?? name);
    }
  }
  const parts = new Set([...add].filter((c) => !drop.has(c) || explicit.has(c)));
  for (const c of [...parts]) for (const r of REQUIRES[c] ?? []) parts.add(r);
  return parts;
}

// Every spawn costs the host a few milliseconds (times every host sharing a machine): small files are read with
// the shell's own `read` (c), and a value already in hand is not asked for twice.
const READ_FN = `c() { ${readLines('"$1"')}; } 2>/dev/null`;

// The min part's sections, in the order they run (passwd reads id's I, fqdn uname's UN).
const MIN_SECTIONS: [string, string][] = [
  ['uname', 'echo @@uname; UN=$(uname -snrvm); echo "$UN"'],
  ['ostype', 'echo @@ostype; c /proc/sys/kernel/ostype'],
  ['osrel', 'echo @@osrel; c /etc/os-release || c /usr/lib/os-release'],
  ['lsbrel', 'echo @@lsbrel; c /etc/lsb-release'],
  ['debver', 'echo @@debver; c /etc/debian_version'],
  [
    'bins',
    'echo @@bins; for b in apt-get dnf yum zypper apk pacman systemctl initctl lsb_release brctl ovs-vsctl docker; do command -v "$b" 2>/dev/null; done',
  ],
  // /sbin/init's target counts only when PID 1 calls itself init or is a shell (serviceMgr in facts-parse.ts)
  [
    'init',
    'echo @@init; P1=; read -r P1 </proc/1/comm 2>/dev/null; [ -z "$P1" ] || echo "$P1"; case "$P1" in ""|init|*sh) [ -L /sbin/init ] && echo "link $(readlink /sbin/init)";; esac',
  ],
  [
    'paths',
    'echo @@paths; for p in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/ /etc/init/ /sbin/openrc /etc/init.d/ /sys/fs/selinux/enforce; do [ -e "$p" ] && echo "$p"; done',
  ],
  [
    'selinux',
    'echo @@selinux; if [ -e /sys/fs/selinux/enforce ]; then echo "enforce $(c /sys/fs/selinux/enforce)"; echo "policyvers $(c /sys/fs/selinux/policyvers)"; grep -E "^SELINUX(TYPE)?=" /etc/selinux/config 2>/dev/null; fi',
  ],
  ['id', 'echo @@id; I=$(id); echo "$I"'],
  ['passwd', 'echo @@passwd; U=${I#uid=}; getent passwd "${U%%(*}" 2>/dev/null'],
  ['uenv', 'echo @@uenv; echo "LOGNAME=$LOGNAME"; echo "USER=$USER"; echo "HOME=$HOME"; echo "SHELL=$SHELL"'],
  ['fqdn', 'echo @@fqdn; set -f; set -- $UN; set +f; getent hosts "$2" 2>/dev/null'],
  ['dns', 'echo @@dns; c /etc/resolv.conf'],
  // the zone's DST name needs two more dates, not worth asking UTC for
  [
    'date',
    `echo @@date; D=$(date '+%Y %m %d %H %M %S %s %N %z %Z %A %w %W'); echo "$D"; case "$D" in *" +0000 UTC "*) ;; *) for d in 01-15 07-15; do date -d "2001-$d" '+dst %Z %z' 2>/dev/null; done ;; esac`,
  ],
  ['python', 'echo @@python; for p in python3 python; do P=$(command -v "$p" 2>/dev/null) && { echo "$P"; "$P" -V 2>&1; break; }; done'],
  ['env', 'echo @@env; env'],
];

// The sections each collector reads (its requirements come with it: subsetParts).
const READS: Record<string, string[]> = {
  platform: ['uname', 'fqdn', 'python'],
  distribution: ['ostype', 'osrel', 'debver'],
  lsb: ['osrel', 'lsbrel', 'bins'],
  pkg_mgr: ['bins'],
  service_mgr: ['init', 'paths', 'bins'],
  selinux: ['selinux'],
  user: ['id', 'passwd', 'uenv'],
  dns: ['dns'],
  date_time: ['date'],
  python: ['python'],
  env: ['env'],
};

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

/** The probe script for the collectors a gather_subset selected (gather_timeout in seconds for the mounts' sizes). */
export function factsScript(parts: FactParts = subsetParts(['all']), timeout = 10): string {
  const want = new Set<string>();
  for (const c of parts) for (const sec of READS[c] ?? []) want.add(sec);
  // env gives the login names too, uname the kernel's name
  if (want.has('env')) want.delete('uenv');
  if (want.has('uname')) want.delete('ostype');
  const lines = [READ_FN, ...MIN_SECTIONS.filter(([sec]) => want.has(sec)).map(([, line]) => line)];
  if (parts.has('hardware')) lines.push(...HARDWARE(timeout));
  if (parts.has('network')) lines.push(...NETWORK);
  // Held by the shell and sent in one write: line by line, each echo was its own SSH packet on a busy host.
  return `rb_f=$(${lines.join('; ')}\n); printf '%s\\n' "$rb_f"`;
}

/** The implicit "Gathering Facts" of a play: everything. */
export const FACTS_SCRIPT = factsScript();

/**
 * Ansible-named facts from the script's output: every fact as `ansible_<name>`, and all of them under
 * `ansible_facts` without the prefix (`ansible_facts.os_family`), plus runbook_bins (the
 * tools found) when a collector that looks for them ran.
 * Only the selected collectors' facts are there, as Ansible returns them.
 */
export function parseFacts(r: ExecResult, opts: { parts?: FactParts; subset?: string[] } = {}): Record<string, unknown> {
  const parts = opts.parts ?? subsetParts(['all']);
  const s = sections(r.stdout);
  const facts: Record<string, unknown> = {};
  const platform = platformFacts(s);
  const system = String(platform.system || (s.ostype?.[0] ?? '').trim());
  const dist = distributionFacts(s, { system });
  const min = minFacts(s);
  if (parts.has('platform')) Object.assign(facts, platform, min.platform);
  if (parts.has('distribution')) Object.assign(facts, dist);
  if (parts.has('lsb')) facts.lsb = lsbFacts(s);
  if (parts.has('pkg_mgr')) facts.pkg_mgr = pkgMgr(s, String(dist.os_family));
  if (parts.has('service_mgr')) facts.service_mgr = serviceMgr(s, system);
  for (const c of ['user', 'env', 'date_time', 'selinux', 'dns', 'python']) if (parts.has(c)) Object.assign(facts, min[c]);
  if (parts.has('hardware')) Object.assign(facts, hardwareFacts(s, String(platform.architecture ?? '')));
  if (parts.has('network')) Object.assign(facts, networkFacts(s));
  facts.gather_subset = opts.subset ?? ['all'];
  facts.module_setup = true;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(facts)) out[`ansible_${k}`] = v;
  if (!s.bins) return { ...out, ansible_facts: facts };
  return { ...out, ansible_facts: facts, runbook_bins: s.bins.map((p) => p.split('/').pop()!) };
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
