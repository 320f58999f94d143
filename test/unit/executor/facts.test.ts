// Facts from scripted section output: Ansible's names and values (ansible-core 2.14 on the same input).
import { describe, expect, it } from 'vitest';
import { FACTS_SCRIPT, factFilter, factsScript, parseFacts, subsetParts } from '../../../src/facts/facts.js';

const debian = [
  '@@uname',
  'Linux web1.example.com 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64',
  '@@osrel',
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
  'NAME="Debian GNU/Linux"',
  'VERSION_ID="12"',
  'VERSION="12 (bookworm)"',
  'VERSION_CODENAME=bookworm',
  'ID=debian',
  '@@lsbrel',
  '@@debver',
  '12.5',
  '@@bins',
  '/usr/bin/apt-get',
  '/usr/bin/systemctl',
  '/usr/bin/lsb_release',
  '@@init',
  'systemd',
  '@@paths',
  '/run/systemd/system/',
  '/etc/init.d/',
  '@@selinux',
  '@@id',
  'uid=1000(deploy) gid=1000(deploy) groups=1000(deploy),27(sudo)',
  '@@passwd',
  'deploy:x:1000:1000:Deploy User,,,:/home/deploy:/bin/bash',
  '@@fqdn',
  '127.0.1.1       web1.example.com web1',
  '192.0.2.7       web1.other.net', // getent prints every address; the first line is the one (no head on the host)
  '@@dns',
  'search example.com',
  'nameserver 10.0.0.2',
  '@@date',
  '2024 03 05 14 07 09 1709647629 123456789 +0100 CET Tuesday 2 09',
  'dst CET +0100',
  'dst CEST +0200',
  '@@python',
  '/usr/bin/python3',
  'Python 3.11.2',
  '@@env',
  'HOME=/home/deploy',
  'LOGNAME=deploy',
  'PATH=/usr/bin:/bin',
  '@@meminfo',
  'MemTotal:        4030464 kB',
  'MemFree:         1024000 kB',
  'Buffers:          102400 kB',
  'Cached:           512000 kB',
  'SwapTotal:       1048572 kB',
  'SwapFree:        1048572 kB',
  'SwapCached:            0 kB',
  '@@cpuinfo',
  'processor	: 0',
  'vendor_id	: GenuineIntel',
  'model name	: Intel(R) Xeon(R)',
  'physical id	: 0',
  'siblings	: 4',
  'core id		: 0',
  'cpu cores	: 2',
  'processor	: 1',
  'vendor_id	: GenuineIntel',
  'model name	: Intel(R) Xeon(R)',
  'physical id	: 0',
  'siblings	: 4',
  'core id		: 0',
  'cpu cores	: 2',
  '@@nproc',
  '2',
  '@@mounts',
  '/dev/sda1 / ext4 rw,relatime 0 0',
  'proc /proc proc rw 0 0',
  'tmpfs /run tmpfs rw 0 0',
  '@@df',
  'Filesystem     1024-blocks    Used Available Capacity Mounted on',
  '/dev/sda1         10000000 4000000   6000000      40% /',
  '@@sysnet',
  '/sys/class/net/eth0/address:52:54:00:12:34:56',
  '/sys/class/net/eth0/mtu:1500',
  '/sys/class/net/eth0/operstate:up',
  '/sys/class/net/eth0/type:1',
  '/sys/class/net/eth0/flags:0x1003',
  '/sys/class/net/eth0/speed:1000',
  '/sys/class/net/lo/address:00:00:00:00:00:00',
  '/sys/class/net/lo/mtu:65536',
  '/sys/class/net/lo/operstate:unknown',
  '/sys/class/net/lo/type:772',
  '/sys/class/net/lo/flags:0x9',
  '/sys/class/net/br-x/address:aa:bb:cc:dd:ee:ff',
  '/sys/class/net/br-x/operstate:down',
  '/sys/class/net/br-x/type:1',
  '/sys/class/net/br-x/bridge/bridge_id:8000.aabbccddeeff',
  '/sys/class/net/br-x/brif/veth1:brif',
  '@@addr',
  '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
  '2: eth0    inet 10.0.0.11/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever preferred_lft forever',
  '2: eth0    inet 10.0.0.99/24 brd 10.0.0.255 scope global secondary eth0:1\\       valid_lft forever preferred_lft forever',
  '1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever',
  '2: eth0    inet6 fe80::5054:ff:fe12:3456/64 scope link \\       valid_lft forever preferred_lft forever',
  '@@route4',
  '8.8.8.8 via 10.0.0.1 dev eth0 src 10.0.0.11 uid 1000 ',
  '    cache ',
  '@@route6',
].join('\n');

describe('facts from one script', () => {
  const f = parseFacts({ code: 0, stdout: debian, stderr: '' });
  const af = f.ansible_facts as Record<string, any>;

  it('names every fact ansible_<name>, and ansible_facts.<name> without the prefix', () => {
    expect(f.ansible_os_family).toBe('Debian');
    expect(af.os_family).toBe('Debian');
    expect(af.ansible_os_family).toBeUndefined();
  });

  it.each([
    ['system', 'Linux'],
    ['kernel', '6.1.0-18-amd64'],
    ['kernel_version', '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)'],
    ['machine', 'x86_64'],
    ['architecture', 'x86_64'],
    ['nodename', 'web1.example.com'],
    ['hostname', 'web1'],
    ['fqdn', 'web1.example.com'],
    ['domain', 'example.com'],
    ['distribution', 'Debian'],
    ['distribution_version', '12.5'],
    ['distribution_major_version', '12'],
    ['distribution_release', 'bookworm'],
    ['os_family', 'Debian'],
    ['pkg_mgr', 'apt'],
    ['service_mgr', 'systemd'],
    ['user_id', 'deploy'],
    ['user_uid', 1000],
    ['user_gid', 1000],
    ['user_dir', '/home/deploy'],
    ['user_shell', '/bin/bash'],
    ['python_version', '3.11.2'],
    ['memtotal_mb', 3936],
    ['memfree_mb', 1000],
    ['processor_count', 1],
    ['processor_cores', 2],
    ['processor_threads_per_core', 2],
    ['processor_vcpus', 4],
    ['all_ipv4_addresses', ['10.0.0.11', '10.0.0.99']],
    ['all_ipv6_addresses', ['fe80::5054:ff:fe12:3456']],
  ])('%s', (name, value) => {
    expect(af[name]).toEqual(value);
  });

  it('lsb, selinux, python, dns, env', () => {
    expect(af.lsb).toEqual({
      id: 'Debian',
      release: '12',
      codename: 'bookworm',
      description: 'Debian GNU/Linux 12 (bookworm)',
      major_release: '12',
    });
    expect(af.selinux).toEqual({ status: 'disabled' });
    expect(af.python).toMatchObject({
      executable: '/usr/bin/python3',
      version: { major: 3, minor: 11, micro: 2, releaselevel: 'final', serial: 0 },
    });
    expect(af.dns).toEqual({ search: ['example.com'], nameservers: ['10.0.0.2'] });
    expect(af.env.HOME).toBe('/home/deploy');
  });

  it("date_time as Ansible spells it (local fields, UTC iso8601, the zone's DST name)", () => {
    expect(af.date_time).toMatchObject({
      date: '2024-03-05',
      time: '14:07:09',
      year: '2024',
      month: '03',
      day: '05',
      hour: '14',
      minute: '07',
      second: '09',
      epoch: '1709647629',
      iso8601: '2024-03-05T14:07:09Z',
      iso8601_micro: '2024-03-05T14:07:09.123456Z',
      iso8601_basic: '20240305T140709123456',
      tz: 'CET',
      tz_dst: 'CEST',
      tz_offset: '+0100',
      weekday: 'Tuesday',
      weekday_number: '2',
      weeknumber: '09',
    });
  });

  it('interfaces, ansible_<iface> (dashes as underscores), default_ipv4 merged with its interface', () => {
    expect(af.interfaces.sort()).toEqual(['br-x', 'eth0', 'lo']);
    expect(af.eth0).toMatchObject({
      device: 'eth0',
      macaddress: '52:54:00:12:34:56',
      mtu: 1500,
      active: true,
      type: 'ether',
      promisc: false,
      speed: 1000,
      ipv4: { address: '10.0.0.11', broadcast: '10.0.0.255', netmask: '255.255.255.0', network: '10.0.0.0', prefix: '24' },
      ipv4_secondaries: [{ address: '10.0.0.99', prefix: '24' }],
      ipv6: [{ address: 'fe80::5054:ff:fe12:3456', prefix: '64', scope: 'link' }],
    });
    expect(af.lo).toMatchObject({ type: 'loopback', active: true });
    expect(af.lo.macaddress).toBeUndefined();
    expect(af.br_x).toMatchObject({ type: 'bridge', active: false, interfaces: ['veth1'], id: '8000.aabbccddeeff' });
    expect(f.ansible_br_x).toBeDefined();
    expect(af.default_ipv4).toEqual({
      gateway: '10.0.0.1',
      interface: 'eth0',
      address: '10.0.0.11',
      broadcast: '10.0.0.255',
      netmask: '255.255.255.0',
      network: '10.0.0.0',
      prefix: '24',
      macaddress: '52:54:00:12:34:56',
      mtu: 1500,
      type: 'ether',
      alias: 'eth0',
    });
    expect(af.default_ipv6).toEqual({});
  });

  it('mounts: device-backed only, with df sizes', () => {
    expect(af.mounts).toEqual([
      { device: '/dev/sda1', mount: '/', fstype: 'ext4', options: 'rw,relatime', size_total: 10240000000, size_available: 6144000000 },
    ]);
  });
});

describe('distribution and family as Ansible maps them', () => {
  const of = (osrel: string, bins = '', init = '') =>
    parseFacts({
      code: 0,
      stdout: `@@uname\nLinux h 5.14 #1 SMP x86_64\n@@osrel\n${osrel}\n@@bins\n${bins}\n@@init\n${init}\n@@paths\n/run/systemd/system/\n`,
      stderr: '',
    }).ansible_facts as Record<string, unknown>;
  it.each([
    ['ID="rocky"\nVERSION_ID="9.3"\nVERSION="9.3 (Blue Onyx)"', '/usr/bin/dnf\n/usr/bin/yum', 'Rocky', 'RedHat', 'dnf', '9', 'Blue Onyx'],
    ['ID="rhel"\nVERSION_ID="8.9"\nVERSION="8.9 (Ootpa)"', '/usr/bin/yum', 'RedHat', 'RedHat', 'yum', '8', 'Ootpa'],
    ['ID="centos"\nVERSION_ID="7"\nVERSION="7 (Core)"', '/usr/bin/yum', 'CentOS', 'RedHat', 'yum', '7', 'Core'],
    ['ID=fedora\nVERSION_ID=39', '/usr/bin/dnf', 'Fedora', 'RedHat', 'dnf', '39', 'NA'],
    ['ID=ubuntu\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy', '/usr/bin/apt-get', 'Ubuntu', 'Debian', 'apt', '22', 'jammy'],
    ['ID=alpine\nVERSION_ID=3.19.1', '/sbin/apk', 'Alpine', 'Alpine', 'apk', '3', 'NA'],
    ['ID=arch', '/usr/bin/pacman', 'Archlinux', 'Archlinux', 'pacman', 'NA', 'NA'],
    ['ID="opensuse-leap"\nVERSION_ID="15.5"', '/usr/bin/zypper', 'openSUSE Leap', 'Suse', 'zypper', '15', 'NA'],
    ['ID="sles"\nVERSION_ID="15.5"', '/usr/bin/zypper', 'SLES', 'Suse', 'zypper', '15', 'NA'],
  ])('%s', (osrel, bins, dist, family, pkg, major, release) => {
    expect(of(osrel, bins)).toMatchObject({
      distribution: dist,
      os_family: family,
      pkg_mgr: pkg,
      distribution_major_version: major,
      distribution_release: release,
    });
  });
  it.each([
    ['systemd', 'systemd'],
    ['sshd', 'sshd'],
    ['bash', 'systemd'],
    ['openrc-init', 'openrc'],
  ])('service_mgr with PID 1 %s is %s', (comm, mgr) => {
    expect(of('ID=debian', '/usr/bin/systemctl', comm).service_mgr).toBe(mgr);
  });
});

describe('gather_subset and filter', () => {
  // what ansible-core 2.14's setup gathers for each (ansible localhost -m setup -a gather_subset=…)
  const MIN =
    'apparmor caps cmdline date_time distribution dns env fips local lsb pkg_mgr platform python selinux service_mgr ssh_pub_keys user';
  it.each([
    [['all'], `${MIN} facter hardware network ohai virtual`],
    [['min'], MIN],
    [['!all'], MIN],
    [['!all', 'network'], `${MIN} network`],
    [['!hardware'], MIN],
    [['network'], `${MIN} network`],
    [['mounts'], `${MIN} hardware`],
    [['!mounts'], MIN],
    [['!all', '!min', 'network'], 'distribution network platform'],
    [['!all', '!min', 'distribution', 'pkg_mgr'], 'distribution pkg_mgr'],
    [['!all', '!min', 'pkg_mgr'], 'distribution pkg_mgr'],
    [['!min', 'service_mgr'], 'distribution platform service_mgr'],
    [['!all', '!min', 'user'], 'user'],
    [['distribution'], MIN],
  ])('%j → %s', (subset, parts) => {
    expect([...subsetParts(subset)].sort()).toEqual(parts.split(' ').sort());
  });
  it('the script has only the parts asked for; a part brings the collectors it needs, as in Ansible', () => {
    expect(FACTS_SCRIPT).toContain('@@sysnet');
    const s = factsScript(subsetParts(['!all', '!min', 'network']));
    expect(s).toContain('@@addr');
    expect(s).not.toContain('@@meminfo');
    expect(s).not.toContain('@@env');
    const f = parseFacts({ code: 0, stdout: debian, stderr: '' }, { parts: subsetParts(['!all', '!min', 'network']) })
      .ansible_facts as Record<string, unknown>;
    expect(f.eth0).toBeDefined();
    expect(f.os_family).toBe('Debian');
    expect(f.system).toBe('Linux');
    expect(f.memtotal_mb).toBeUndefined();
    expect(f.env).toBeUndefined();
    expect(f.user_id).toBeUndefined();
  });
  it('user without env reads the login names from four variables, not the whole environment', () => {
    const s = factsScript(subsetParts(['!all', '!min', 'user']));
    expect(s).toContain('@@uenv');
    expect(s).not.toContain('@@env');
    expect(factsScript(subsetParts(['min']))).not.toContain('@@uenv');
    const out =
      '@@id\nuid=1000(ops) gid=1000(ops) groups=1000(ops)\n@@passwd\nops:x:1000:1000:Ops:/home/ops:/bin/bash\n@@uenv\nLOGNAME=ops\nUSER=ops\nHOME=/home/ops\nSHELL=/bin/bash\n';
    const f = parseFacts({ code: 0, stdout: out, stderr: '' }, { parts: subsetParts(['!all', '!min', 'user']) }).ansible_facts;
    expect(f).toEqual({
      user_id: 'ops',
      user_uid: 1000,
      user_gid: 1000,
      user_dir: '/home/ops',
      user_shell: '/bin/bash',
      user_gecos: 'Ops',
      real_user_id: 1000,
      effective_user_id: 1000,
      real_group_id: 1000,
      effective_group_id: 1000,
      gather_subset: ['all'],
      module_setup: true,
    });
  });
  it('filter globs the prefixed names as fnmatch does', () => {
    const keep = factFilter(['ansible_*_mb', 'ansible_eth[0-9]', 'ansible_os_famil?']);
    expect(['ansible_memtotal_mb', 'ansible_eth0', 'ansible_os_family', 'ansible_eth10', 'memtotal_mb'].filter(keep)).toEqual([
      'ansible_memtotal_mb',
      'ansible_eth0',
      'ansible_os_family',
    ]);
    expect(factFilter([])('anything')).toBe(true);
  });
});
