// The facts script's sections turned into Ansible's facts, following ansible-core 2.14's collectors
// (platform, distribution, lsb, pkg_mgr, service_mgr, user, env, date_time, python, selinux, dns, hardware, network).
type Facts = Record<string, unknown>;
export type Sections = Record<string, string[]>;

/** `@@name` lines start a section; the lines up to the next marker are its content. */
export function sections(out: string): Sections {
  const res: Sections = {};
  let cur = '';
  for (const line of out.split('\n')) {
    if (/^@@[a-z0-9]+$/.test(line.trim())) {
      cur = line.trim().slice(2);
      res[cur] = [];
    } else if (cur && line.trim() !== '') res[cur].push(line);
  }
  return res;
}

const unquote = (v: string) => v.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');

function keyValues(lines: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(l.trim());
    if (m) out[m[1]] = unquote(m[2]);
  }
  return out;
}

export function platformFacts(s: Sections): Facts {
  const words = (s.uname?.[0] ?? '').trim().split(/\s+/);
  const [system = '', nodename = '', kernel = ''] = words;
  const machine = words.length > 4 ? words[words.length - 1] : '';
  const kernelVersion = words.slice(3, -1).join(' ');
  const hostname = nodename.split('.')[0];
  // socket.getfqdn(): the first of the name and its aliases that has a dot, else the name itself (getent's first line:
  // the script prints them all rather than fork a head)
  const names = (s.fqdn?.[0] ?? '').trim().split(/\s+/).slice(1);
  const fqdn = names.find((n) => n.includes('.')) ?? names[0] ?? nodename;
  const arch = machine === 'i686' || machine === 'i386' ? 'i386' : machine;
  return {
    system,
    kernel,
    kernel_version: kernelVersion,
    machine,
    architecture: arch,
    nodename,
    hostname,
    fqdn,
    domain: fqdn.includes('.') ? fqdn.slice(fqdn.indexOf('.') + 1) : '',
    userspace_bits: /64/.test(machine) ? '64' : '32',
  };
}

// ID in os-release → Ansible's distribution name.
const DIST_NAMES: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  rhel: 'RedHat',
  centos: 'CentOS',
  rocky: 'Rocky',
  almalinux: 'AlmaLinux',
  fedora: 'Fedora',
  alpine: 'Alpine',
  arch: 'Archlinux',
  archarm: 'Archlinux',
  manjaro: 'Manjaro',
  'opensuse-leap': 'openSUSE Leap',
  'opensuse-tumbleweed': 'openSUSE Tumbleweed',
  opensuse: 'openSUSE',
  sles: 'SLES',
  sled: 'SLED',
  amzn: 'Amazon',
  ol: 'OracleLinux',
  linuxmint: 'Linux Mint',
  raspbian: 'Debian',
  kali: 'Kali',
  pop: 'Pop!_OS',
  devuan: 'Devuan',
  gentoo: 'Gentoo',
  virtuozzo: 'Virtuozzo',
  cloudlinux: 'CloudLinux',
  eurolinux: 'EuroLinux',
  openEuler: 'openEuler',
  euleros: 'EulerOS',
  void: 'Void',
  nixos: 'NixOS',
};

// Ansible's OS_FAMILY_MAP (module_utils/facts/system/distribution.py), the families playbooks test.
const FAMILY: Record<string, string[]> = {
  RedHat: [
    'RedHat',
    'RHEL',
    'Fedora',
    'CentOS',
    'Scientific',
    'SLC',
    'Ascendos',
    'CloudLinux',
    'PSBM',
    'OracleLinux',
    'OVS',
    'OEL',
    'Amazon',
    'Virtuozzo',
    'XenServer',
    'Alibaba',
    'EulerOS',
    'openEuler',
    'AlmaLinux',
    'Rocky',
    'TencentOS',
    'EuroLinux',
  ],
  Debian: [
    'Debian',
    'Ubuntu',
    'Raspbian',
    'Neon',
    'KDE neon',
    'Linux Mint',
    'SteamOS',
    'Devuan',
    'Kali',
    'Cumulus Linux',
    'Pop!_OS',
    'Parrot',
    'Pardus GNU/Linux',
    'Uos',
    'Deepin',
    'OSMC',
  ],
  Suse: ['SuSE', 'SLES', 'SLED', 'openSUSE', 'openSUSE Tumbleweed', 'SLES_SAP', 'SUSE_LINUX', 'openSUSE Leap'],
  Archlinux: ['Archlinux', 'Antergos', 'Manjaro'],
  Alpine: ['Alpine'],
  Gentoo: ['Gentoo', 'Funtoo'],
};

export function osFamily(distribution: string): string {
  for (const [fam, names] of Object.entries(FAMILY)) if (names.includes(distribution)) return fam;
  return distribution;
}

export function distributionFacts(s: Sections, platform: Facts): Facts {
  const os = keyValues(s.osrel);
  const id = os.ID ?? '';
  const distribution = id ? (DIST_NAMES[id] ?? id.charAt(0).toUpperCase() + id.slice(1)) : String(platform.system || 'OtherLinux');
  let version = os.VERSION_ID ?? '';
  // Debian's point release lives in /etc/debian_version (12.11), as Ansible reads it
  const deb = (s.debver?.[0] ?? '').trim();
  if (distribution === 'Debian' && /^\d+(\.\d+)*$/.test(deb)) version = deb;
  const paren = /\(([^)]+)\)/.exec(os.VERSION ?? '')?.[1];
  const release = os.VERSION_CODENAME || os.UBUNTU_CODENAME || paren || 'NA';
  const [major = '', minor] = version.split('.');
  const facts: Facts = {
    distribution,
    distribution_version: version,
    distribution_major_version: major || 'NA',
    distribution_release: release,
    os_family: osFamily(distribution),
  };
  if (minor !== undefined) facts.distribution_minor_version = minor;
  return facts;
}

// /etc/lsb-release when present; else what lsb_release prints (it reads os-release); else nothing, as Ansible.
export function lsbFacts(s: Sections): Facts {
  const os = keyValues(s.osrel);
  const l = keyValues(s.lsbrel);
  let lsb: Facts = {};
  if (l.DISTRIB_ID || l.DISTRIB_RELEASE)
    lsb = { id: l.DISTRIB_ID, release: l.DISTRIB_RELEASE, codename: l.DISTRIB_CODENAME, description: l.DISTRIB_DESCRIPTION };
  else if (bins(s).has('lsb_release') && os.NAME)
    lsb = {
      id: os.NAME.split(/\s+/)[0],
      release: os.VERSION_ID ?? 'n/a',
      codename: os.VERSION_CODENAME ?? 'n/a',
      description: os.PRETTY_NAME ?? os.NAME,
    };
  for (const k of Object.keys(lsb)) if (lsb[k] === undefined) delete lsb[k];
  if (typeof lsb.release === 'string') lsb.major_release = lsb.release.split('.')[0];
  return lsb;
}

const bins = (s: Sections) => new Set((s.bins ?? []).map((p) => p.split('/').pop()!));

// Ansible's pkg_mgr: the family's manager when it is installed, else the first one found.
export function pkgMgr(s: Sections, family: string): string {
  const b = bins(s);
  const byFamily: Record<string, string[]> = {
    Debian: ['apt-get'],
    RedHat: ['dnf', 'yum'],
    Suse: ['zypper'],
    Alpine: ['apk'],
    Archlinux: ['pacman'],
  };
  const names: Record<string, string> = { 'apt-get': 'apt', dnf: 'dnf', yum: 'yum', zypper: 'zypper', apk: 'apk', pacman: 'pacman' };
  for (const bin of [...(byFamily[family] ?? []), 'apt-get', 'dnf', 'yum', 'zypper', 'apk', 'pacman']) if (b.has(bin)) return names[bin];
  return 'unknown';
}

// Ansible's ServiceMgrFactCollector: PID 1's name unless it is init or a shell, then the systemd canaries.
export function serviceMgr(s: Sections, system: string): string {
  const init = s.init ?? [];
  let p1: string | undefined = init.find((l) => !l.startsWith('link '))?.trim();
  if (!p1) p1 = init.find((l) => l.startsWith('link '))?.slice(5);
  if (p1) p1 = p1.split('/').pop()!.trim();
  if (p1 === 'init' || p1?.endsWith('sh')) p1 = undefined;
  const map: Record<string, string> = { procd: 'openwrt_init', 'runit-init': 'runit', svscan: 'svc', 'openrc-init': 'openrc' };
  if (p1) return map[p1] ?? p1;
  if (system !== 'Linux') return 'service';
  const paths = new Set(s.paths ?? []);
  const b = bins(s);
  if (b.has('systemctl') && ['/run/systemd/system/', '/dev/.run/systemd/', '/dev/.systemd/'].some((p) => paths.has(p))) return 'systemd';
  if (b.has('initctl') && paths.has('/etc/init/')) return 'upstart';
  if (paths.has('/sbin/openrc')) return 'openrc';
  const link = init.find((l) => l.startsWith('link '))?.slice(5);
  if (b.has('systemctl') && link?.split('/').pop() === 'systemd') return 'systemd';
  if (paths.has('/etc/init.d/')) return 'sysvinit';
  return 'service';
}

/**
 * The min collectors read from the script's own sections, each under its collector's name (user, env, date_time,
 * selinux, dns, python): parseFacts keeps the ones gather_subset selected. The user's login names come from env,
 * or from uenv (four variables echoed) when env itself was not asked for.
 */
export function minFacts(s: Sections): Record<string, Facts> {
  const id = s.id?.[0] ?? '';
  const uid = /uid=(\d+)(?:\(([^)]*)\))?/.exec(id);
  const gid = /gid=(\d+)/.exec(id);
  const pw = (s.passwd?.[0] ?? '').split(':');
  const env: Record<string, string> = {};
  for (const l of s.env ?? s.uenv ?? []) {
    const i = l.indexOf('=');
    if (i > 0) env[l.slice(0, i)] = l.slice(i + 1);
  }
  const out: Record<string, Facts> = {
    user: {
      user_id: env.LOGNAME || env.USER || uid?.[2] || '',
      user_uid: uid ? Number(uid[1]) : -1,
      user_gid: gid ? Number(gid[1]) : -1,
      user_dir: pw[5] ?? env.HOME ?? '',
      user_shell: pw[6] ?? env.SHELL ?? '',
      user_gecos: pw[4] ?? '',
      real_user_id: uid ? Number(uid[1]) : -1,
      effective_user_id: uid ? Number(uid[1]) : -1,
      real_group_id: gid ? Number(gid[1]) : -1,
      effective_group_id: gid ? Number(gid[1]) : -1,
    },
    env: { env },
    date_time: { date_time: dateTime(s.date ?? []) },
    selinux: { selinux: selinux(s) },
    dns: { dns: dns(s.dns ?? []) },
    python: {},
  };
  const py = python(s.python ?? []);
  if (py) {
    // the version string is platform's python_version in Ansible, the rest is the python collector's
    out.platform = { python_version: (py.version as Facts).full };
    delete (py.version as Facts).full;
    out.python = { python: py };
  }
  return out;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function dateTime(lines: string[]): Facts {
  const [Y, m, d, H, M, S, epoch, nanos = '000000000', offset, tz, weekday, wnum, week] = (lines[0] ?? '').trim().split(/\s+/);
  if (!Y) return {};
  const micro = nanos.replace(/^%N$/, '000000000').padEnd(9, '0').slice(0, 6);
  const u = new Date(Number(epoch) * 1000);
  const utc = `${u.getUTCFullYear()}-${pad(u.getUTCMonth() + 1)}-${pad(u.getUTCDate())}T${pad(u.getUTCHours())}:${pad(u.getUTCMinutes())}:${pad(u.getUTCSeconds())}`;
  // time.tzname[1]: the zone's daylight-saving name (the larger offset of January and July), else its only name
  const dst = lines
    .slice(1)
    .map((l) => /^dst (\S+) ([+-]\d{4})$/.exec(l.trim()))
    .filter((x) => x !== null);
  let tzDst = tz;
  if (dst.length === 2 && dst[0]![2] !== dst[1]![2]) tzDst = Number(dst[0]![2]) > Number(dst[1]![2]) ? dst[0]![1] : dst[1]![1];
  else if (dst.length) tzDst = dst[0]![1];
  return {
    year: Y,
    month: m,
    day: d,
    hour: H,
    minute: M,
    second: S,
    epoch,
    epoch_int: epoch,
    date: `${Y}-${m}-${d}`,
    time: `${H}:${M}:${S}`,
    iso8601: `${utc}Z`,
    iso8601_micro: `${utc}.${micro}Z`,
    iso8601_basic: `${Y}${m}${d}T${H}${M}${S}${micro}`,
    iso8601_basic_short: `${Y}${m}${d}T${H}${M}${S}`,
    tz,
    tz_dst: tzDst,
    tz_offset: offset,
    weekday,
    weekday_number: wnum,
    weeknumber: week,
  };
}

function selinux(s: Sections): Facts {
  const l = s.selinux ?? [];
  if (!l.length) return { status: 'disabled' };
  const get = (k: string) =>
    l
      .find((x) => x.startsWith(k))
      ?.slice(k.length)
      .trim();
  const mode = get('enforce ') === '1' ? 'enforcing' : 'permissive';
  const out: Facts = { status: 'enabled', mode, config_mode: get('SELINUX=') ?? 'unknown', type: get('SELINUXTYPE=') ?? 'unknown' };
  const pv = get('policyvers ');
  if (pv) out.policyvers = Number(pv);
  return out;
}

function dns(lines: string[]): Facts {
  const out: Facts = {};
  for (const l of lines) {
    const w = l.trim().split(/\s+/);
    if (w[0] === 'nameserver' && w[1]) ((out.nameservers ??= []) as string[]).push(w[1]);
    else if (w[0] === 'domain' && w[1]) out.domain = w[1];
    else if (w[0] === 'search') out.search = w.slice(1);
    else if (w[0] === 'sortlist') out.sortlist = w.slice(1);
    else if (w[0] === 'options') out.options = Object.fromEntries(w.slice(1).map((o) => (o.includes(':') ? o.split(':', 2) : [o, true])));
  }
  return out;
}

function python(lines: string[]): Facts | undefined {
  const exe = lines[0];
  const m = /Python (\d+)\.(\d+)\.(\d+)([a-z]+\d*)?/.exec(lines[1] ?? '');
  if (!exe || !m) return undefined;
  const [major, minor, micro] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const pre = /^(a|b|rc)(\d+)$/.exec(m[4] ?? '');
  const level = pre ? ({ a: 'alpha', b: 'beta', rc: 'candidate' } as Record<string, string>)[pre[1]] : 'final';
  const serial = pre ? Number(pre[2]) : 0;
  return {
    executable: exe,
    type: 'cpython',
    version: { major, minor, micro, releaselevel: level, serial, full: `${major}.${minor}.${micro}` },
    version_info: [major, minor, micro, level, serial],
  };
}

export { hardwareFacts } from './facts-hardware.js';
export { networkFacts } from './facts-network.js';
