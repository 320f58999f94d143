// The Ansible idioms the loader reads: free-form arguments, action:/local_action:, FQCN actions, collections,
// remote_user, throttle, with_*, loop_control, ignore_unreachable, module_defaults, diff, vars_prompt, order —
// and what it refuses, with file:line:col.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlaybookError } from '../../../src/errors.js';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { resolveVarsPrompts } from '../../../src/playbook/prompt.js';
import { type BadCase, errorOf, expectRejected, loadText, writeTree } from './helpers.js';

const tasks = (body: string, playExtra = '') => `- hosts: all\n  gather_facts: false\n${playExtra}  tasks:\n${body}`;
const first = (body: string, playExtra = '', files: Record<string, string> = {}) =>
  loadText(tasks(body, playExtra), files).plays[0].tasks[0];

describe('free-form arguments (parse_kv)', () => {
  it.each<[string, string, unknown]>([
    [
      'copy key=value',
      '    - copy: content="a b" dest=/tmp/x mode=0644 force=no\n',
      { content: 'a b', dest: '/tmp/x', mode: '0644', force: 'no' },
    ],
    ['debug msg with a template', '    - debug: msg="hello {{ name }}"\n', { msg: 'hello {{ name }}' }],
    ['set_fact', '    - set_fact: a=1 b="two words"\n', { a: '1', b: 'two words' }],
    ['FQCN module', '    - ansible.builtin.file: path=/tmp/x state=directory\n', { path: '/tmp/x', state: 'directory' }],
    ['ansible.legacy', '    - ansible.legacy.file: path=/tmp/x state=touch\n', { path: '/tmp/x', state: 'touch' }],
    // As in Ansible, only the first unescaped "=" splits; a later "\=" stays as written.
    ['escaped =', '    - debug: msg=a\\=b\n', { msg: 'a\\=b' }],
  ])('%s', (_, body, args) => expect(first(body).args).toEqual(args));

  it.each<[string, unknown]>([
    ['command: chdir=/srv creates=/srv/app tar xzf app.tgz', { _raw: 'tar xzf app.tgz', chdir: '/srv', creates: '/srv/app' }],
    ['command: tar xzf app.tgz removes=/srv/app.tgz', { _raw: 'tar xzf app.tgz', removes: '/srv/app.tgz' }],
    ['shell: echo a=b > /tmp/x executable=/bin/bash', { _raw: 'echo a=b > /tmp/x', executable: '/bin/bash' }],
    ['shell: cat stdin="two words" warn=no', { _raw: 'cat', stdin: 'two words', warn: 'no' }],
    ["command: echo 'chdir=/x'", { _raw: "echo 'chdir=/x'" }],
  ])('%s', (line, args) => expect(first(`    - ${line}\n`).args).toEqual(args));

  it('args: merges under the free form, inline options winning', () => {
    expect(first('    - command: ls chdir=/a\n      args: { chdir: /b, creates: /c }\n').args).toEqual({
      _raw: 'ls',
      chdir: '/a',
      creates: '/c',
    });
  });
});

describe('modules that moved to a collection, by the name ansible-core routes their bare name to', () => {
  it.each<[string, string, unknown]>([
    [
      'ansible.posix.sysctl: name=vm.swappiness value=10 sysctl_set=yes',
      'sysctl',
      { name: 'vm.swappiness', value: '10', sysctl_set: 'yes' },
    ],
    ['ansible.posix.mount: path=/mnt state=unmounted', 'mount', { path: '/mnt', state: 'unmounted' }],
    ['ansible.posix.authorized_key: user=deploy key="ssh-ed25519 AAAA x"', 'authorized_key', { user: 'deploy', key: 'ssh-ed25519 AAAA x' }],
    [
      'community.general.ini_file: path=/etc/x.ini section=s option=o value=v',
      'ini_file',
      { path: '/etc/x.ini', section: 's', option: 'o', value: 'v' },
    ],
  ])('%s', (line, module, args) => expect(first(`    - ${line}\n`)).toMatchObject({ module, args }));

  it('another module of those collections is still one runbook lacks', () => {
    expect(() => first('    - ansible.posix.synchronize: { src: a, dest: b }\n')).toThrow(
      'module "ansible.posix.synchronize" is from the collection ansible.posix, which runbook does not have',
    );
  });
});

describe('async with poll: the task runs within async seconds', () => {
  it('is read as a number or a template', () => {
    expect(first('    - command: aideinit\n      async: 600\n      poll: 15\n')).toMatchObject({ async: 600, poll: 15 });
    expect(first('    - command: drain\n      async: "{{ t + 120 }}"\n      poll: 15\n')).toMatchObject({ async: '{{ t + 120 }}' });
  });
});

describe('become_method: sudo is what runbook does', () => {
  it('is accepted on a task, a block, a play and a role entry', () => {
    expect(first('    - command: id\n      become: true\n      become_method: sudo\n')).toMatchObject({ module: 'command', become: true });
    const play = loadText(
      '- hosts: all\n  become_method: sudo\n  roles:\n    - { role: r, become_method: sudo }\n  tasks:\n    - block:\n        - command: id\n      become_method: sudo\n',
      { 'roles/r/tasks/main.yml': '- command: whoami\n' },
    ).plays[0];
    expect(play.tasks.map((t) => t.module)).toEqual(['command', 'command']);
  });
});

describe('action: and local_action:', () => {
  it('action: module k=v, and action: { module: x, k: v }', () => {
    expect(first('    - action: copy content=hi dest=/tmp/x\n')).toMatchObject({ module: 'copy', args: { content: 'hi', dest: '/tmp/x' } });
    expect(first('    - action: { module: ansible.builtin.debug, msg: hi }\n')).toMatchObject({ module: 'debug', args: { msg: 'hi' } });
    expect(first('    - action: shell echo hi chdir=/tmp\n')).toMatchObject({ module: 'shell', args: { _raw: 'echo hi', chdir: '/tmp' } });
  });
  it('local_action: runs on localhost', () => {
    const t = first('    - local_action: command touch /tmp/x creates=/tmp/x\n');
    expect(t).toMatchObject({ module: 'command', delegateTo: 'localhost', args: { _raw: 'touch /tmp/x', creates: '/tmp/x' } });
  });
});

describe('keywords', () => {
  it('FQCN keyword-like actions: import_tasks, include_tasks, import_role, include_role, import_playbook, set_fact', () => {
    const files = {
      'inc.yml': '- ansible.builtin.set_fact: { x: 1 }\n',
      'roles/r/tasks/main.yml': '- ansible.builtin.debug: { msg: r }\n',
      'roles/s/tasks/main.yml': '- ansible.builtin.debug: { msg: s }\n',
      'other.yml': '- hosts: all\n  tasks:\n    - ping:\n',
    };
    const text =
      tasks(
        '    - ansible.builtin.import_tasks: inc.yml\n    - ansible.builtin.include_tasks: inc.yml\n    - ansible.builtin.import_role: { name: r }\n    - ansible.legacy.include_role: { name: s }\n',
      ) + '- ansible.builtin.import_playbook: other.yml\n';
    const pb = loadText(text, files);
    // include_tasks is one task at load, read when it runs (as in Ansible)
    expect(pb.plays[0].tasks.map((t) => t.module)).toEqual(['set_fact', 'include_tasks', 'debug', 'debug']);
    expect(pb.plays[1].tasks.map((t) => t.module)).toEqual(['ping']);
  });

  it('remote_user on the play, a block and a task: the innermost wins', () => {
    const pb = loadText(
      tasks(
        '    - ping:\n    - block:\n        - ping:\n        - ping:\n          remote_user: t\n      remote_user: b\n',
        '  remote_user: "{{ deploy_user }}"\n',
      ),
    );
    expect(pb.plays[0].remoteUser).toBe('{{ deploy_user }}');
    expect(pb.plays[0].tasks.map((t) => t.remoteUser)).toEqual([undefined, 'b', 't']);
  });

  it('collections: accepted on plays, blocks, tasks and roles; modules resolve by short name', () => {
    const pb = loadText(
      tasks(
        '    - block:\n        - ping:\n          collections: [community.general]\n      collections: [ansible.posix]\n',
        '  collections: [community.general]\n',
      ),
    );
    expect(pb.plays[0].tasks[0].module).toBe('ping');
  });

  it('throttle, ignore_unreachable and diff: task over block over play', () => {
    const pb = loadText(
      tasks(
        '    - ping:\n    - block:\n        - ping:\n      throttle: 2\n      ignore_unreachable: false\n      diff: false\n    - ping:\n      throttle: 1\n      ignore_unreachable: true\n      diff: true\n',
        '  throttle: 5\n  ignore_unreachable: true\n  diff: true\n  order: sorted\n',
      ),
    );
    const p = pb.plays[0];
    expect([p.throttle, p.ignoreUnreachable, p.diff, p.order]).toEqual([5, true, true, 'sorted']);
    expect(p.tasks.map((t) => [t.throttle, t.ignoreUnreachable, t.diff])).toEqual([
      [undefined, undefined, undefined],
      [2, false, false],
      [1, true, true],
    ]);
  });

  it('with_* loops keep their terms and lookup; loop_control is read whole', () => {
    const t = first(
      '    - debug: { msg: "{{ i }} {{ item.key }}" }\n      with_dict: "{{ users }}"\n      loop_control: { index_var: i, label: "{{ item.key }}", pause: 0.5, extended: true, extended_allitems: false }\n',
    );
    expect(t).toMatchObject({
      loop: '{{ users }}',
      loopLookup: 'dict',
      loopVar: 'item',
      loopControl: { indexVar: 'i', label: '{{ item.key }}', pause: 0.5, extended: true, extendedAllitems: false },
    });
    expect(first('    - debug: { msg: x }\n      with_sequence: start=1 end=3\n')).toMatchObject({
      loop: 'start=1 end=3',
      loopLookup: 'sequence',
    });
    const dir = writeTree({ 'site.yml': tasks('    - debug: { msg: x }\n      with_fileglob: "*.conf"\n') });
    expect(loadPlaybook(join(dir, 'site.yml')).plays[0].tasks[0]).toMatchObject({ loopLookup: 'fileglob', loopBaseDir: dir });
  });

  it('module_defaults: play < block < task, merged under the args; short or FQCN names', () => {
    const pb = loadText(
      tasks(
        '    - block:\n        - ansible.builtin.file: { path: /a }\n        - file: { path: /b, mode: "0600" }\n          module_defaults: { file: { owner: task } }\n        - command: ls\n      module_defaults: { ansible.builtin.file: { owner: block } }\n',
        '  module_defaults:\n    file: { state: directory, owner: play, mode: "0755" }\n    ansible.builtin.command: { chdir: /srv }\n',
      ),
    );
    expect(pb.plays[0].tasks.map((t) => t.args)).toEqual([
      { path: '/a', state: 'directory', owner: 'block', mode: '0755' },
      { path: '/b', state: 'directory', owner: 'task', mode: '0600' },
      { _raw: 'ls', chdir: '/srv' },
    ]);
  });

  it('vars_prompt is read with its defaults (private unless said otherwise)', () => {
    const p = loadText(
      tasks(
        '    - ping:\n',
        '  vars_prompt:\n    - name: release\n      prompt: Release?\n      default: "1.0"\n      private: no\n    - name: secret\n      confirm: yes\n',
      ),
    ).plays[0];
    expect(p.varsPrompt).toEqual([
      {
        name: 'release',
        prompt: 'Release?',
        default: '1.0',
        private: false,
        confirm: false,
        at: expect.objectContaining({ line: 4, col: 7 }),
      },
      { name: 'secret', prompt: 'secret', private: true, confirm: true, at: expect.objectContaining({ line: 8, col: 7 }) },
    ]);
  });
});

describe('vars_prompt answers', () => {
  const pb = () =>
    loadText(
      tasks('    - ping:\n', '  vars:\n    release: old\n  vars_prompt:\n    - name: release\n      default: "1.0"\n    - name: token\n'),
    );
  it('an -e value skips the prompt; without a terminal the default is taken', async () => {
    const b = pb();
    await resolveVarsPrompts(b, { token: 't' }, undefined);
    expect(b.plays[0].vars).toEqual({ release: '1.0' });
  });
  it('without a terminal and without a default: an error at the prompt, saying to pass -e', async () => {
    const e = await resolveVarsPrompts(pb(), {}, undefined).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PlaybookError);
    expect((e as PlaybookError).message).toBe('vars_prompt "token" needs an answer, and there is no terminal to ask on');
    expect((e as PlaybookError).at).toMatchObject({ line: 8, col: 7 });
    expect((e as PlaybookError).hint).toMatch(/-e token=value/);
  });
  it('on a terminal: asked, an empty answer takes the default, confirm asks twice', async () => {
    const b = pb();
    const answers = ['', 's3cret', 'typo', 's3cret', 's3cret'];
    const asked: [string, boolean][] = [];
    b.plays[0].varsPrompt![1].confirm = true;
    await resolveVarsPrompts(b, {}, async (q, hidden) => {
      asked.push([q, hidden]);
      return answers.shift()!;
    });
    expect(b.plays[0].vars).toEqual({ release: '1.0', token: 's3cret' });
    expect(asked[0]).toEqual(['release [1.0]: ', true]);
    expect(asked.length).toBe(5);
  });
});

const bad: BadCase[] = [
  {
    title: 'free text for a key=value module',
    yaml: tasks('    - file: /tmp/x state=touch\n'),
    message: 'module "file" takes key=value arguments, and "/tmp/x" is not one',
    at: '4:13',
  },
  {
    title: 'unbalanced quote in free form',
    yaml: tasks('    - shell: echo "hi\n'),
    message: /cannot split the arguments of "shell": unbalanced quotes/,
    at: '4:14',
  },
  {
    title: 'two action statements',
    yaml: tasks('    - shell: echo hi\n      action: ping\n'),
    message: 'conflicting action statements: shell, action',
    at: '5:7',
  },
  {
    title: 'local_action with delegate_to',
    yaml: tasks('    - local_action: ping\n      delegate_to: web1\n'),
    message: 'local_action and delegate_to cannot be combined',
    at: '5:7',
  },
  {
    title: 'action: a map without module',
    yaml: tasks('    - action: { msg: hi }\n'),
    message: '"action" must be a map with "module:" naming the module, not a map',
    at: '4:15',
  },
  {
    title: 'become_method other than sudo',
    yaml: tasks('    - command: id\n      become: true\n      become_method: su\n'),
    message: 'become_method: su is not supported: runbook becomes with sudo',
    at: '6:22',
  },
  {
    title: 'poll: 0 (fire and forget)',
    yaml: tasks('    - command: sleep 100\n      async: 300\n      poll: 0\n'),
    message: 'poll: 0 (fire and forget, checked later with async_status) is not supported: runbook waits for every task',
    at: '6:13',
  },
  {
    title: 'a module of a collection runbook lacks',
    yaml: tasks('    - community.general.ufw: { rule: allow }\n'),
    message: 'module "community.general.ufw" is from the collection community.general, which runbook does not have',
    at: '4:7',
  },
  {
    title: 'a collection module in action:',
    yaml: tasks('    - action: community.general.foo a=b\n'),
    message: 'module "community.general.foo" is from the collection community.general, which runbook does not have',
    at: '4:15',
  },
  {
    title: 'collections: not namespace.name',
    yaml: tasks('    - ping:\n', '  collections: [general]\n'),
    message: '"general" is not a collection name',
    at: '3:17',
  },
  {
    title: 'FQCN include_vars with an unknown argument',
    yaml: tasks('    - ansible.builtin.include_vars: { file: vars.yml, nmae: x }\n'),
    message: 'unknown argument "nmae" for module "include_vars"',
    at: '4:7',
  },
  {
    title: 'meta with an unknown action',
    yaml: tasks('    - meta: flush_handler\n'),
    message: /meta.*flush_handler/,
    at: '4:7',
  },
  {
    title: 'throttle not a number',
    yaml: tasks('    - ping:\n      throttle: many\n'),
    message: '"throttle" must be a whole number, not the string "many"',
    at: '5:17',
  },
  {
    title: 'a with_ lookup runbook does not expand',
    yaml: tasks('    - debug: { msg: x }\n      with_random_choice: [a, b]\n'),
    message: '"with_random_choice" is not supported',
    at: '5:7',
    hint: /loop:/,
  },
  {
    title: 'loop and with_nested together',
    yaml: tasks('    - debug: { msg: x }\n      with_nested: [[1], [2]]\n      loop: [1]\n'),
    message: 'a task takes one loop, but this one has both "with_nested" and "loop"',
    at: '6:7',
  },
  {
    title: 'with_dict on a block',
    yaml: tasks('    - block:\n        - ping:\n      with_dict: {a: 1}\n'),
    message: '"with_dict" cannot go on a block',
    at: '6:7',
  },
  {
    title: 'with_items without terms',
    yaml: tasks('    - debug: { msg: x }\n      with_items:\n'),
    message: /"with_items" must be the terms of the lookup/,
    at: '5:7',
  },
  {
    title: 'index_var equal to loop_var',
    yaml: tasks('    - debug: { msg: x }\n      loop: [1]\n      loop_control: { loop_var: i, index_var: i }\n'),
    message: 'loop_var and index_var are both "i"',
    at: '6:21',
  },
  {
    title: 'loop_control pause not a number',
    yaml: tasks('    - debug: { msg: x }\n      loop: [1]\n      loop_control: { pause: soon }\n'),
    message: /"pause" must be a number/,
    at: '6:30',
  },
  {
    title: 'module_defaults with an argument the module lacks',
    yaml: tasks('    - ping:\n', '  module_defaults: { file: { paht: /x } }\n'),
    message: 'unknown argument "paht" for module "file" in module_defaults',
    at: '3:22',
    hint: 'did you mean "path"?',
  },
  {
    title: 'module_defaults for an action group',
    yaml: tasks('    - ping:\n', '  module_defaults:\n    group/aws: { region: x }\n'),
    message: 'module_defaults for an action group ("group/aws") are not supported',
    at: '4:5',
  },
  {
    title: 'vars_prompt encrypt',
    yaml: tasks('    - ping:\n', '  vars_prompt:\n    - name: pw\n      encrypt: sha512_crypt\n'),
    message: 'vars_prompt "encrypt" is not supported',
    at: '5:7',
  },
  {
    title: 'vars_prompt without a name',
    yaml: tasks('    - ping:\n', '  vars_prompt:\n    - prompt: what?\n'),
    message: 'this vars_prompt entry has no name',
    at: '4:7',
  },
  {
    title: 'order misspelt',
    yaml: tasks('    - ping:\n', '  order: sort\n'),
    message: /"order" must be "inventory" or "reverse_inventory" or "sorted"/,
    at: '3:10',
    hint: 'did you mean "sorted"?',
  },
  {
    title: 'port on a role entry (Ansible takes it as the SSH port, not a parameter)',
    yaml: '- hosts: all\n  roles:\n    - { role: web, port: 8080 }\n',
    files: { 'roles/web/tasks/main.yml': '- ping:\n' },
    message: '"port" is not supported on a role entry',
    at: '3:20',
    hint: /ansible_port/,
  },
  {
    title: 'a bad boolean string in key=value args',
    yaml: tasks('    - copy: content=x dest=/tmp/x force=maybe\n'),
    message: 'module "copy": argument "force" must be a boolean (true/false/yes/no), got "maybe"',
    at: '4:7',
  },
];

describe('refused, with file:line:col and what to do', () => {
  it.each(bad.map((c) => [c.title, c] as const))('%s', (_, c) => expectRejected(c));
});

describe('role meta', () => {
  it('a role runs once per play; with allow_duplicates: true in meta/main.yml, each time it is listed', () => {
    const once = loadText('- hosts: all\n  roles: [web, web]\n', { 'roles/web/tasks/main.yml': '- ping:\n' });
    expect(once.plays[0].tasks).toHaveLength(1);
    const twice = loadText('- hosts: all\n  roles: [web, web]\n', {
      'roles/web/tasks/main.yml': '- ping:\n',
      'roles/web/meta/main.yml': 'allow_duplicates: true\n',
    });
    expect(twice.plays[0].tasks).toHaveLength(2);
  });
});

describe('play-level run_once, ignore_errors, no_log, check_mode and task-level connection', () => {
  it('the play hands them to every task; a task keeps its own', () => {
    const pb = loadText(
      '- hosts: all\n  run_once: true\n  ignore_errors: yes\n  no_log: true\n  check_mode: false\n  tasks:\n' +
        '    - shell: a\n    - shell: b\n      check_mode: true\n',
    );
    const [a, b] = pb.plays[0].tasks;
    expect(a).toMatchObject({ runOnce: true, ignoreErrors: true, noLog: true, checkMode: false });
    expect(b.checkMode).toBe(true);
  });
  it('connection: local on a task runs it on the controller (delegate_to: localhost)', () => {
    const pb = loadText('- hosts: all\n  tasks:\n    - shell: a\n      connection: local\n    - shell: b\n      connection: ssh\n');
    expect(pb.plays[0].tasks[0].delegateTo).toBe('localhost');
    expect(pb.plays[0].tasks[1].delegateTo).toBeUndefined();
  });
  it('another connection plugin is refused where it is written', () => {
    const e = errorOf('- hosts: all\n  tasks:\n    - shell: a\n      connection: winrm\n');
    expect(e.message).toMatch(/"connection" must be "local" or "ssh" or "smart" or "paramiko", not the string "winrm"/);
  });
});
