// Bad input through the real CLI: every case exits 4 with file:line:col, what is wrong and what to do, no stack trace, no host touched.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabInfo, labDown, onHost, ROOT, runbook, withLab } from './helpers.js';

const LAB = 'bad';
const D = join(ROOT, 'test/fixtures/bad-input');
const rel = (f: string) => `test/fixtures/bad-input/${f}`;
let lab: LabInfo;
let tmp: string;

interface Case {
  name: string;
  /** `$INV` is the lab inventory, `$TMP` a scratch dir, `$PB` a valid playbook */
  args: string[];
  /** what the message must say (location first where there is a file) */
  says: RegExp;
  hint?: RegExp;
}

const pb = (file: string, says: RegExp, hint?: RegExp, extra: string[] = []): Case => ({
  name: [file, ...extra.filter((a) => a.startsWith('--'))].join(' '),
  args: ['run', join(D, file), '-i', '$INV', ...extra],
  says,
  hint,
});
const inv = (file: string, says: RegExp, hint?: RegExp): Case => ({
  name: `inventory/${file}`,
  args: ['run', '$PB', '-i', join(D, 'inventory', file)],
  says,
  hint,
});
const cli = (name: string, args: string[], says: RegExp, hint?: RegExp): Case => ({ name, args, says, hint });

const CASES: Case[] = [
  // playbooks
  pb('broken-yaml.yaml', /broken-yaml\.yaml:8:1: YAML syntax error: Missing closing "quote/, /quote values/),
  pb('not-a-list.yaml', /not-a-list\.yaml:1:1: a playbook must be a list of plays/, /put "- " before hosts/),
  pb('empty.yaml', /empty\.yaml: playbook is empty/, /list of plays/),
  pb('duplicate-key.yaml', /duplicate-key\.yaml:7:7: YAML syntax error: Map keys must be unique/, /remove or rename/),
  pb('play-unknown-key.yaml', /play-unknown-key\.yaml:2:3: unknown play key "gather_fact"/, /did you mean "gather_facts"/),
  pb('play-no-hosts.yaml', /play-no-hosts\.yaml:1:3: play has no "hosts"/, /add hosts:/),
  pb('unknown-module.yaml', /unknown-module\.yaml:6:7: unknown module "shel"/, /did you mean "shell"/),
  pb('block-loop.yaml', /block-loop\.yaml:8:7: "loop" cannot go on a block/, /put the loop on the tasks inside/),
  pb('two-modules.yaml', /two-modules\.yaml:7:7: a task takes one module, but this one has both "shell" and "command"/, /split it/),
  pb('no-module.yaml', /no-module\.yaml:5:7: task "does nothing" has no module/, /add one module/),
  pb('task-unknown-key.yaml', /task-unknown-key\.yaml:7:7: unknown key "whenn" in task/, /did you mean "when"/),
  pb('wrong-type-gather.yaml', /wrong-type-gather\.yaml:2:17: "gather_facts" must be true or false, not the string "maybe"/, /for example/),
  pb('wrong-type-tasks.yaml', /wrong-type-tasks\.yaml:2:10: "tasks" must be a list of tasks/, /for example/),
  pb('wrong-type-retries.yaml', /wrong-type-retries\.yaml:7:16: "retries" must be a whole number/, /retries: 3/),
  pb('wrong-type-become.yaml', /wrong-type-become\.yaml:2:11: "become" must be true or false, not a list/, /become: true/),
  pb('module-unknown-arg.yaml', /module-unknown-arg\.yaml:5:7: unknown argument "contnt" for module "copy"/, /did you mean "content"/),
  pb('module-missing-arg.yaml', /module-missing-arg\.yaml:5:7: module "copy": missing required argument "dest"/),
  pb('module-bad-value.yaml', /module-bad-value\.yaml:5:7: module "file": argument "state" must be one of/),
  pb('handler-missing.yaml', /handler-missing\.yaml:6:15: notify "restart nothing" matches no handler/, /did you mean "restart something"/),
  pb('loop-not-list.yaml', /loop-not-list\.yaml:7:7: loop must be a list, got the string "just-one-string" \(host h\d\)/, /YAML list/),
  pb('loop-number.yaml', /loop-number\.yaml:6:13: "loop" must be a list/, /loop: \[a, b\]/),
  pb(
    'undefined-var.yaml',
    /undefined-var\.yaml:5:7: "echo \{\{ no_such_var \}\}": 'no_such_var' is undefined for host h\d/,
    /define it in the inventory/,
  ),
  pb(
    'j2-undefined.yaml',
    /templates\/undefined-var\.j2:5:9: template .*undefined-var\.j2 line 5: 'not_defined_anywhere' is undefined for host h\d/,
    /define it/,
  ),
  pb(
    'j2-syntax.yaml',
    /templates\/syntax-error\.j2:\d+:\d+: template .*syntax-error\.j2.*syntax error: unexpected end of template/,
    /\{% endif %\}/,
  ),
  pb(
    'undefined-template-var.yaml',
    /templates\/undefined-var\.hbs:1: .*variable "not_defined_anywhere" is undefined for host h\d/,
    /define it/,
    ['--syntax-check'],
  ),
  pb('j2-undefined.yaml', /templates\/undefined-var\.j2:5:9: .*'not_defined_anywhere' is undefined for host h\d/, /define it/, [
    '--syntax-check',
  ]),
  pb('subnet-overlap.yaml', /docker subnets must not overlap failed before any host was touched/, /fix the inventory/, [
    '-i',
    join(D, 'inventory/overlap.yaml'),
    '--syntax-check',
  ]),
  pb(
    'undefined-template-var.yaml',
    /templates\/undefined-var\.hbs:1: .*variable "not_defined_anywhere" is undefined for host h\d/,
    /define it/,
  ),
  pb('template-syntax.yaml', /templates\/syntax-error\.hbs:2: .*syntax error at line 2/, /every \{\{#block\}\} its \{\{\/block\}\}/),
  pb('template-missing.yaml', /template-missing\.yaml:5:7: template not found: no-such-template\.hbs/, /templates\//),
  pb('copy-src-missing.yaml', /copy-src-missing\.yaml:5:7: copy: source file not found: no-such-file\.txt/, /files\//),
  pb('vars-files-missing.yaml', /vars-files-missing\.yaml:2:16: vars file not found: .*no-such-vars\.yaml/, /relative to the playbook/),
  pb('vars-files-not-map.yaml', /list-vars\.yaml:1: vars_files: .* must hold a map of variables/),
  pb(
    'unquoted-template.yaml',
    /unquoted-template\.yaml:5:14: this looks like a \{\{ \}\} template without quotes/,
    /quote the whole value/,
  ),
  pb(
    'when-syntax.yaml',
    /when-syntax\.yaml:6:13: invalid expression "inventory_hostname ==": unexpected end of template/,
    /Jinja expressions/,
  ),
  pb('bad-filter.yaml', /bad-filter\.yaml:5:14: .*no filter named 'no_such_filter'/),
  pb('serial-bad.yaml', /serial-bad\.yaml:2:11: "serial" takes a host count/, /serial: 2/),
  pb('timeout-bad.yaml', /timeout-bad\.yaml:6:16: "timeout" must be at least 1, not -1/, /timeout: 3/),
  pb('unknown-host-pattern.yaml', /unknown host or group "no_such_group"/, /groups are: all, ungrouped, mesh/),
  pb(
    'subnet-overlap.yaml',
    /subnet-overlap\.yaml:4:7: docker subnets must not overlap failed before any host was touched, on h1, h2: docker_subnet overlaps/,
    /fix the inventory/,
    ['-i', join(D, 'inventory/overlap.yaml')],
  ),
  cli(
    'playbook not found',
    ['run', '/no/such/playbook.yaml', '-i', '$INV'],
    /playbook not found: \/no\/such\/playbook\.yaml/,
    /check the path/,
  ),
  // inventories
  inv('broken.yaml', /inventory\/broken\.yaml:5:1: invalid YAML/, /fix the YAML syntax/),
  inv('cycle.yaml', /inventory\/cycle\.yaml:7:13: group cycle in children: a -> b -> a/, /remove "a" from the children of "b"/),
  inv('cycle.ini', /inventory\/cycle\.ini:4:1: group cycle in children: a -> b -> a/, /cannot contain itself/),
  inv(
    'conflict.yaml',
    /host "h1" sets "port_x" twice with different values: 1 at .*conflict\.yaml:5:14 and 2 at .*conflict\.yaml:8:14/,
    /keep a single definition/,
  ),
  inv('unknown-key.yaml', /inventory\/unknown-key\.yaml:2:3: unknown key "hostz" in group "all"/, /did you mean "hosts"/),
  inv('undefined-child.ini', /undefined-child\.ini:2:1: \[web:children\] includes undefined group "nothere"/, /define it/),
  cli(
    'inventory source missing',
    ['run', '$PB', '-i', '/no/such/inventory'],
    /inventory source "\/no\/such\/inventory" does not exist/,
    /check the -i path/,
  ),
  cli(
    'inventory --list on a cycle',
    ['inventory', '-i', join(D, 'inventory/cycle.yaml'), '--list'],
    /cycle\.yaml:7:13: group cycle/,
    /remove/,
  ),
  cli('unknown --limit', ['run', '$PB', '-i', '$INV', '-l', 'nosuch*'], /unknown host or group "nosuch\*"/, /groups are/),
  cli('exec unknown pattern', ['exec', 'nosuch', '-i', '$INV', '--', 'true'], /unknown host or group "nosuch"/, /groups are/),
  // flags and values
  cli('--forks 0', ['run', '$PB', '-i', '$INV', '--forks', '0'], /--forks must be a positive whole number, got "0"/),
  cli('--forks abc', ['exec', 'mesh', '-i', '$INV', '--forks', 'abc', '--', 'true'], /--forks must be a positive whole number, got "abc"/),
  cli('--connect-timeout -3', ['run', '$PB', '-i', '$INV', '--connect-timeout', '-3'], /--connect-timeout must be a positive whole number/),
  cli(
    '--output xml',
    ['run', '$PB', '-i', '$INV', '-o', 'xml'],
    /argument 'xml' is invalid\. Allowed choices are auto, plain, json, tty/,
    /--help/,
  ),
  cli('--host-key-checking maybe', ['run', '$PB', '-i', '$INV', '--host-key-checking', 'maybe'], /Allowed choices are accept-new, strict/),
  cli('unknown option', ['run', '$PB', '-i', '$INV', '--frobnicate'], /unknown option '--frobnicate'/, /--help/),
  cli('unknown command', ['frob'], /unknown command 'frob'/, /--help/),
  cli('missing playbook argument', ['run'], /missing required argument 'playbook'/, /--help/),
  cli('-e bad JSON', ['run', '$PB', '-i', '$INV', '-e', '{bad'], /-e \{bad: not valid JSON/, /-e key=value/),
  cli('-e @missing', ['run', '$PB', '-i', '$INV', '-e', '@/no/such/vars.yaml'], /cannot read \/no\/such\/vars\.yaml/, /existing YAML/),
  cli('-e without =', ['run', '$PB', '-i', '$INV', '-e', 'noequals'], /-e noequals: expected key=value/),
  cli(
    'exec -m and a command',
    ['exec', 'mesh', '-i', '$INV', '-m', 'shell', '-a', 'echo', '--', 'echo'],
    /give either -m\/-a or a command after --, not both/,
  ),
  cli(
    'exec unknown module',
    ['exec', 'mesh', '-i', '$INV', '-m', 'shelll', '-a', 'echo'],
    /unknown module "shelll"/,
    /did you mean "shell"/,
  ),
  cli('exec nothing to run', ['exec', 'mesh', '-i', '$INV'], /nothing to run/, /runbook exec <pattern>/),
  cli(
    'exec bad -a map',
    ['exec', 'mesh', '-i', '$INV', '-m', 'copy', '-a', '{dest: [1'],
    /-a \{dest: \[1: not a valid YAML map/,
    /-a 'k=v/,
  ),
  cli(
    'exec unknown module arg',
    ['exec', 'mesh', '-i', '$INV', '-m', 'copy', '-a', 'dest=/root/touched contnt=y'],
    /unknown argument "contnt" for module "copy"/,
    /did you mean "content"/,
  ),
  // connection material: found before any host is contacted
  cli(
    'key file missing',
    ['run', '$PB', '-i', '$INV', '--private-key', '/no/such/key'],
    /private key file \/no\/such\/key does not exist \(needed for h1, h2\); no host was contacted/,
    /ssh-keygen/,
  ),
  cli(
    'key file too open',
    ['run', '$PB', '-i', '$INV', '--private-key', '$TMP/open_key'],
    /Permissions 0644 for '.*open_key' are too open/,
    /chmod 600 .*open_key/,
  ),
  cli(
    'known_hosts unreadable',
    ['exec', 'mesh', '-i', '$INV', '--known-hosts', '$TMP/kh-is-a-dir', '--', 'touch /root/touched'],
    /cannot read known_hosts file .*kh-is-a-dir: EISDIR/,
    /readable file/,
  ),
  cli(
    'vault: wrong password',
    ['run', '$PB', '-i', join(D, 'vault/inventory.yaml'), '-i', '$INV', '--vault-password-file', join(D, 'vault/wrong-password')],
    /vault\/group_vars\/mesh\.yaml: cannot decrypt: wrong vault password/,
    /--vault-password-file/,
  ),
  cli(
    'vault: no password',
    ['run', '$PB', '-i', join(D, 'vault/inventory.yaml'), '-i', '$INV'],
    /vault\/group_vars\/mesh\.yaml is vault-encrypted and no vault password was given/,
    /RUNBOOK_VAULT_PASSWORD/,
  ),
];

function expand(args: string[]): string[] {
  return args.map((a) => a.replace('$INV', lab.inventoryPath).replace('$TMP', tmp).replace('$PB', join(D, 'ok.yaml')));
}

beforeAll(async () => {
  lab = await withLab(LAB, 2);
  tmp = mkdtempSync(join(tmpdir(), 'rb-bad-'));
  copyFileSync(lab.keyPath, join(tmp, 'open_key'));
  chmodSync(join(tmp, 'open_key'), 0o644);
  mkdirSync(join(tmp, 'kh-is-a-dir'));
});
afterAll(async () => {
  await labDown({ name: LAB });
});

describe(`bad input: ${CASES.length} cases, each exit 4 with a located, actionable message`, () => {
  it.concurrent.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await runbook(expand(c.args), { env: { RUNBOOK_VAULT_PASSWORD: '' } });
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toMatch(c.says);
    if (c.hint) expect(r.stderr).toMatch(c.hint);
    expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(r.stdout).not.toMatch(/^PLAY \[/m);
  });

  it('has at least 40 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(40));

  it('-vvv adds the stack trace, still exit 4', async () => {
    const r = await runbook(['run', join(D, 'unknown-module.yaml'), '-i', lab.inventoryPath, '-vvv']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/unknown module "shel"/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('touched no host; the same marker task does run on a good playbook', async () => {
    for (const h of ['h1', 'h2']) expect(onHost(lab, h, 'test -e /root/touched || echo absent').stdout.trim()).toBe('absent');
    const r = await runbook(['run', rel('ok.yaml'), '-i', lab.inventoryPath, '-l', 'h1']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(onHost(lab, 'h1', 'cat /root/touched').stdout).toBe('x');
  });
});
