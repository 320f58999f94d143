// ansible.cfg and ANSIBLE_*: found where Ansible looks, read as Python's configparser reads it, the settings runbook
// honours typed (paths against the file's folder, $VAR and ~ expanded), the environment over the file, bad values
// refused naming file:line, and what they change: the role search path, a play's gather_facts and become defaults.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyAnsibleSettings, type ConfigurableOptions, inventorySources } from '../../../src/cli/options.js';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { parseIni, readAnsibleSettings, resetAnsibleSettings } from '../../../src/shared/ansible-config.js';

const project = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-cfg-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
};
const env = (dir: string, more: Record<string, string> = {}) => ({ HOME: join(dir, 'home'), ...more });

afterEach(() => resetAnsibleSettings());

describe('reading ansible.cfg as configparser does', () => {
  it('sections, = and :, comment lines, inline ; comments after a blank, continuation lines, keys in lower case', () => {
    const ini = parseIni(
      '# top\n[defaults]\nForks = 7 ; seven\nremote_user: deploy\n; note\nroles_path = a\n  b\nurl = http://x/#frag\n\n[privilege_escalation]\nbecome=True\n',
      'ansible.cfg',
    );
    expect(ini.get('defaults')?.get('forks')).toEqual({ value: '7', line: 3 });
    expect(ini.get('defaults')?.get('remote_user')?.value).toBe('deploy');
    expect(ini.get('defaults')?.get('roles_path')?.value).toBe('a\nb');
    expect(ini.get('defaults')?.get('url')?.value).toBe('http://x/#frag');
    expect(ini.get('privilege_escalation')?.get('become')?.value).toBe('True');
  });

  it('a line that is no setting, or a setting before any section, is refused with file:line', () => {
    expect(() => parseIni('[defaults]\njust words\n', '/p/ansible.cfg')).toThrow('/p/ansible.cfg:2: "just words" is not a setting');
    expect(() => parseIni('forks = 3\n', '/p/ansible.cfg')).toThrow('/p/ansible.cfg:1: "forks" comes before any [section]');
  });
});

describe('which file, and the settings', () => {
  const CFG =
    '[defaults]\ninventory = inv/hosts.yml, /abs/other\nroles_path = roles:$EXTRA/r:~/mine:$UNSET/x\nremote_user = deploy\nprivate_key_file = keys/id\nforks = 12\ntimeout = 30\nhost_key_checking = False\ngathering = explicit\nretry_files_enabled = False\n[privilege_escalation]\nbecome = yes\nbecome_user = app\nbecome_method = sudo\n[ssh_connection]\npipelining = True\n';

  it('./ansible.cfg: typed, paths against its folder, $VAR and ~ expanded, unset $VAR left as written, unused keys listed', () => {
    const dir = project({ 'ansible.cfg': CFG });
    const s = readAnsibleSettings(env(dir, { EXTRA: '/opt/extra' }), dir);
    expect(s).toMatchObject({
      file: join(dir, 'ansible.cfg'),
      inventory: [join(dir, 'inv/hosts.yml'), '/abs/other'],
      rolesPath: [join(dir, 'roles'), '/opt/extra/r', join(dir, 'home', 'mine'), join(dir, '$UNSET/x')],
      remoteUser: 'deploy',
      privateKeyFile: join(dir, 'keys/id'),
      forks: 12,
      timeout: 30,
      hostKeyChecking: false,
      gathering: 'explicit',
      become: true,
      becomeUser: 'app',
    });
    expect(s.ignored).toEqual(['defaults.retry_files_enabled', 'ssh_connection.pipelining']);
  });

  it('ANSIBLE_* beat the file; relative paths in them are against the working folder', () => {
    const dir = project({ 'ansible.cfg': CFG });
    const s = readAnsibleSettings(env(dir, { ANSIBLE_FORKS: '3', ANSIBLE_INVENTORY: 'x.ini', ANSIBLE_BECOME: 'false' }), dir);
    expect(s).toMatchObject({ forks: 3, inventory: [join(dir, 'x.ini')], become: false, remoteUser: 'deploy' });
  });

  it('ANSIBLE_CONFIG first, then ./ansible.cfg, then ~/.ansible.cfg; only one file is read', () => {
    const dir = project({
      'ansible.cfg': '[defaults]\nforks = 2\n',
      'elsewhere/my.cfg': '[defaults]\nforks = 9\n',
      'home/.ansible.cfg': '[defaults]\nforks = 4\ntimeout = 5\n',
    });
    expect(readAnsibleSettings(env(dir, { ANSIBLE_CONFIG: 'elsewhere/my.cfg' }), dir)).toMatchObject({ forks: 9 });
    expect(readAnsibleSettings(env(dir), dir)).toMatchObject({ forks: 2 });
    expect(readAnsibleSettings(env(dir), dir).timeout).toBeUndefined();
    expect(readAnsibleSettings(env(dir), join(dir, 'home'))).toMatchObject({ forks: 4, timeout: 5 });
  });

  it('a world-writable folder: its ansible.cfg is passed over (as Ansible does), saying why', () => {
    const dir = project({ 'open/ansible.cfg': '[defaults]\nforks = 2\n' });
    chmodSync(join(dir, 'open'), 0o777);
    const s = readAnsibleSettings(env(dir), join(dir, 'open'));
    expect(s.forks).toBeUndefined();
    expect(s.skipped).toContain('world-writable');
  });

  it.each([
    ['forks = many', 'forks must be a whole number above 0, not "many"'],
    ['host_key_checking = maybe', 'host_key_checking must be true or false, not "maybe"'],
    ['gathering = sometimes', 'gathering must be implicit, explicit or smart'],
  ])('%s is refused naming the file and line', (line, message) => {
    const dir = project({ 'ansible.cfg': `[defaults]\n\n${line}\n` });
    expect(() => readAnsibleSettings(env(dir), dir)).toThrow(`${join(dir, 'ansible.cfg')}:3: ${message}`);
  });

  it('become_method other than sudo is refused (runbook becomes with sudo only)', () => {
    const dir = project({ 'ansible.cfg': '[privilege_escalation]\nbecome_method = su\n' });
    expect(() => readAnsibleSettings(env(dir), dir)).toThrow('become_method is "su": runbook becomes with sudo only');
  });
});

describe('what the settings change', () => {
  it('options left out come from the file, given ones stay; inventory defaults to the configured one', () => {
    const dir = project({
      'ansible.cfg': '[defaults]\ninventory = hosts.ini\nforks = 12\ntimeout = 30\nhost_key_checking = true\nremote_user = deploy\n',
    });
    resetAnsibleSettings(readAnsibleSettings(env(dir), dir));
    const given: ConfigurableOptions = { forks: 5 };
    applyAnsibleSettings(given);
    expect(given).toMatchObject({
      forks: 5,
      connectTimeout: 30,
      hostKeyChecking: 'strict',
      defaultUser: 'deploy',
      inventory: [join(dir, 'hosts.ini')],
    });
    expect(inventorySources(undefined)).toEqual([join(dir, 'hosts.ini')]);
    expect(inventorySources(['other'])).toEqual(['other']);
    resetAnsibleSettings(readAnsibleSettings(env(dir), join(dir, 'home')));
    const none: ConfigurableOptions = {};
    applyAnsibleSettings(none);
    expect(none).toMatchObject({ forks: 50, connectTimeout: 10, hostKeyChecking: 'accept-new' });
  });

  it('roles_path: roles found there, by plain name and by a name with a slash (kubespray style)', () => {
    const dir = project({
      'ansible.cfg': '[defaults]\nroles_path = shared\n',
      'shared/web/tasks/main.yml': '- debug: {msg: web}\n',
      'shared/kubernetes/preinstall/tasks/main.yml': '- debug: {msg: pre}\n',
      'playbooks/site.yml': '- hosts: all\n  roles: [web, kubernetes/preinstall]\n',
    });
    expect(() => loadPlaybook(join(dir, 'playbooks/site.yml'))).toThrow('role "web" not found');
    resetAnsibleSettings(readAnsibleSettings(env(dir), dir));
    const pb = loadPlaybook(join(dir, 'playbooks/site.yml'));
    expect(pb.plays[0].tasks.map((t) => t.args)).toEqual([{ msg: 'web' }, { msg: 'pre' }]);
  });

  it("gathering = explicit and become = true are the plays' defaults; a play that says otherwise wins", () => {
    const dir = project({
      'ansible.cfg': '[defaults]\ngathering = explicit\n[privilege_escalation]\nbecome = true\n',
      'site.yml': '- hosts: all\n  tasks: []\n- hosts: all\n  gather_facts: true\n  become: false\n  tasks: []\n',
    });
    const before = loadPlaybook(join(dir, 'site.yml')).plays[0];
    expect([before.gatherFacts, before.become]).toEqual([true, false]);
    resetAnsibleSettings(readAnsibleSettings(env(dir), dir));
    const [a, b] = loadPlaybook(join(dir, 'site.yml')).plays;
    expect([a.gatherFacts, a.become, b.gatherFacts, b.become]).toEqual([false, true, true, false]);
  });
});
