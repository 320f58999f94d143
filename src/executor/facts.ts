// Facts come from ONE round trip: a single script prints every section the modules need.
import type { ExecResult } from '../modules/types.js';

export const FACTS_SCRIPT = [
  'echo "@@uname"; uname -snrm',
  'echo "@@os"; cat /etc/os-release 2>/dev/null',
  'echo "@@bins"; for b in apt-get dnf yum systemctl brctl ovs-vsctl docker; do command -v "$b" >/dev/null 2>&1 && echo "$b"; done',
  'echo "@@systemd"; [ -d /run/systemd/system ] && echo yes',
  'echo "@@addr"; ip -o -4 addr show 2>/dev/null',
  'echo "@@user"; id -un',
].join('; ');

function sections(out: string): Record<string, string[]> {
  const res: Record<string, string[]> = {};
  let cur = '';
  for (const line of out.split('\n')) {
    if (line.startsWith('@@')) {
      cur = line.slice(2).trim();
      res[cur] = [];
    } else if (cur && line.trim() !== '') res[cur].push(line);
  }
  return res;
}

const unquote = (v: string) => v.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');

/** Ansible-named facts (ansible_os_family, ansible_pkg_mgr, …) from the facts script's output. */
export function parseFacts(r: ExecResult): Record<string, unknown> {
  const s = sections(r.stdout);
  const [kernelName = '', hostname = '', kernel = '', machine = ''] = (s.uname?.[0] ?? '').split(/\s+/);
  const os: Record<string, string> = {};
  for (const l of s.os ?? []) {
    const m = /^([A-Z_]+)=(.*)$/.exec(l);
    if (m) os[m[1]] = unquote(m[2]);
  }
  const like = `${os.ID ?? ''} ${os.ID_LIKE ?? ''}`;
  const family = /debian|ubuntu/.test(like)
    ? 'Debian'
    : /rhel|fedora|centos|rocky|alma/.test(like)
      ? 'RedHat'
      : /suse/.test(like)
        ? 'Suse'
        : os.ID
          ? os.ID
          : 'unknown';
  const bins = new Set(s.bins ?? []);
  const pkgMgr = bins.has('apt-get') ? 'apt' : bins.has('dnf') ? 'dnf' : bins.has('yum') ? 'yum' : 'unknown';
  const interfaces: Record<string, string[]> = {};
  for (const l of s.addr ?? []) {
    const m = /^\d+:\s+(\S+)\s+inet\s+(\S+)/.exec(l);
    if (m) (interfaces[m[1]] ??= []).push(m[2]);
  }
  const facts: Record<string, unknown> = {
    ansible_system: kernelName,
    ansible_hostname: hostname.split('.')[0],
    ansible_nodename: hostname,
    ansible_kernel: kernel,
    ansible_architecture: machine,
    ansible_distribution: os.NAME ? (os.ID ?? '').replace(/^./, (c) => c.toUpperCase()) : 'unknown',
    ansible_distribution_version: os.VERSION_ID ?? '',
    ansible_os_family: family,
    ansible_pkg_mgr: pkgMgr,
    ansible_service_mgr: s.systemd?.[0] === 'yes' ? 'systemd' : 'unknown',
    ansible_user_id: s.user?.[0] ?? '',
    ansible_ipv4_addresses: Object.entries(interfaces)
      .filter(([i]) => i !== 'lo')
      .flatMap(([, a]) => a.map((x) => x.split('/')[0])),
    ansible_interfaces_ipv4: interfaces,
    runbook_bins: [...bins],
  };
  return { ...facts, ansible_facts: { ...facts } };
}
