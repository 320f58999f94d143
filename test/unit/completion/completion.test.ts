// Completion scripts generated from the real commander tree, the hidden `__complete hosts`, and bash running the script.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { beforeAll, describe, expect, test } from 'vitest';
import { completeWords, completionScript, specOf } from '../../../src/cli/completion.js';
import { CLI, ensureBuilt, ROOT } from '../../e2e/helpers.js';

const COMMANDS = ['run', 'check', 'exec', 'merge-reports', 'inventory', 'vault', 'lab', 'completion', 'doc'];
const YAML_INV = 'test/fixtures/inventory/yaml/hosts.yaml';
let bin: string;

const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

/** COMPREPLY after completing `words` (the last one is the word under the cursor), with the script loaded in bash. */
function bashComplete(words: string[]): string[] {
  const script = `source <(runbook completion bash); COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _runbook; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

beforeAll(() => {
  ensureBuilt();
  bin = mkdtempSync(join(tmpdir(), 'runbook-bin-'));
  writeFileSync(join(bin, 'runbook'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, 'runbook'), 0o755);
});

describe('runbook completion bash|zsh', () => {
  test('bash: every command and run/check option, nothing hidden, valid syntax', () => {
    const r = cli(['completion', 'bash']);
    expect(r.status).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^    ${c}\\) opts=`, 'm'));
    const check = /^ {4}check\) opts="([^"]*)"/m.exec(r.stdout)?.[1].split(' ');
    expect(check).toEqual(
      expect.arrayContaining([
        '-i',
        '--inventory',
        '-l',
        '--limit',
        '-t',
        '--tags',
        '--skip-tags',
        '-e',
        '--extra-vars',
        '-o',
        '--output',
        '--diff',
      ]),
    );
    expect(r.stdout).not.toContain('__complete)');
    expect(r.stdout).toContain('complete -F _runbook runbook');
    expect(r.stdout).toContain('__complete hosts');
    expect(spawnSync('bash', ['-n'], { input: r.stdout }).status).toBe(0);
  });

  test('zsh: #compdef, every command described, options with their value completers', () => {
    const r = cli(['completion', 'zsh']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('#compdef runbook');
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^ {4}'${c}:`, 'm'));
    expect(r.stdout).toContain("'--limit[further limit hosts with a pattern");
    expect(r.stdout).toContain(':hosts:_runbook_hosts');
    expect(r.stdout).toContain(`'1:playbook:_files -g "*.(yaml|yml)"'`);
    if (has('zsh')) expect(spawnSync('zsh', ['-n'], { input: r.stdout }).status).toBe(0);
  });

  test('an unknown shell is a usage error (exit 4)', () => {
    expect(cli(['completion', 'fish']).status).toBe(4);
  });
});

describe('runbook __complete hosts', () => {
  test('groups then hosts of the -i inventory, one a line', () => {
    const r = cli(['__complete', 'hosts', '-i', YAML_INV]);
    expect(r.status).toBe(0);
    // what the fixture defines, read by hand: its groups (with Ansible's implicit ungrouped) and hosts, web[03:04] expanded
    const groups = ['all', 'ungrouped', 'web', 'db', 'prod'];
    const hosts = ['bastion.example.com', 'web1', 'web2', 'web03', 'web04', 'db1'];
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual([...groups, ...hosts].sort());
    // groups come first
    expect(r.stdout.split('\n').slice(0, groups.length).sort()).toEqual([...groups].sort());
    expect(r.stdout).toContain('web1\n');
    expect(r.stdout).toMatch(/^all$/m);
  });

  test('./inventory by default; nothing (and exit 0) when the inventory cannot load', () => {
    expect(completeWords('hosts', undefined).split('\n')).toEqual(expect.arrayContaining(['mesh', 'node-a', 'node-b']));
    const r = cli(['__complete', 'hosts', '-i', 'no/such/inventory']);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
    expect(completeWords('playbooks', undefined)).toBe('');
  });

  test('hidden from help', () => {
    expect(cli(['--help']).stdout).not.toContain('__complete');
  });
});

describe('bash with the completion loaded (from the repo root)', () => {
  test('run <TAB> offers the playbooks', () => {
    expect(bashComplete(['runbook', 'run', ''])).toContain('playbooks/gre-mesh.yaml');
    expect(bashComplete(['runbook', 'check', 'playbooks/g'])).toEqual(['playbooks/gre-mesh.yaml']);
  });
  test('commands, options and option values', () => {
    expect(bashComplete(['runbook', 'ch'])).toEqual(['check']);
    expect(bashComplete(['runbook', 'run', '--sk'])).toEqual(['--skip-tags']);
    expect(bashComplete(['runbook', 'check', '-o', ''])).toEqual(['auto', 'plain', 'json', 'tty']);
    expect(bashComplete(['runbook', 'completion', ''])).toEqual(['bash', 'zsh']);
  });
  test('doc: module names and --list', () => {
    expect(bashComplete(['runbook', 'doc', 'line'])).toEqual(['lineinfile']);
    expect(bashComplete(['runbook', 'doc', 'ovs_'])).toEqual(['ovs_bridge', 'ovs_port', 'ovs_service']);
    expect(bashComplete(['runbook', 'doc', '--l'])).toEqual(['--list']);
  });
  test('graph: --format words, -o a file, --group hosts and groups', () => {
    expect(bashComplete(['runbook', 'graph', '--format', ''])).toEqual(['svg', 'mermaid', 'dot', 'json']);
    expect(bashComplete(['runbook', 'graph', '-o', 'READ'])).toEqual(['README.md']);
    expect(bashComplete(['runbook', 'graph', '--group', 'me'])).toEqual(['mesh']);
    expect(bashComplete(['runbook', 'graph', '--pl'])).toEqual(['--playbook']);
  });
  test('--limit and exec patterns complete host and group names from -i (or ./inventory)', () => {
    expect(bashComplete(['runbook', 'run', 'playbooks/gre-mesh.yaml', '-i', YAML_INV, '--limit', 'web'])).toEqual(
      expect.arrayContaining(['web', 'web1', 'web2']),
    );
    expect(bashComplete(['runbook', 'exec', 'node-'])).toEqual(['node-a', 'node-b']);
  });
});

describe('specOf', () => {
  test('reads value kinds and choices from commander options, skips hidden commands', () => {
    const p = new Command('x');
    p.command('go')
      .argument('<playbook>')
      .option('-i, --inventory <path>')
      .option('-l, --limit <p>')
      .option('-e, --extra-vars <v>')
      .option('-n, --dry')
      .addOption(new Option('-o, --output <m>').choices(['a', 'b']));
    p.command('secret', { hidden: true });
    const spec = specOf(p);
    expect(spec.commands.map((c) => c.name)).toEqual(['go']);
    const byFlag = Object.fromEntries(spec.commands[0].options.map((o) => [o.flags.at(-1), o]));
    expect([byFlag['--inventory'].value, byFlag['--limit'].value, byFlag['--extra-vars'].value, byFlag['--dry'].value]).toEqual([
      'file',
      'hosts',
      'vars',
      undefined,
    ]);
    expect(byFlag['--output'].choices).toEqual(['a', 'b']);
    expect(spec.commands[0].positionals).toEqual(['playbook']);
    expect(completionScript('bash', spec)).toContain('go:-o|go:--output) COMPREPLY=( $(compgen -W "a b"');
  });
});
