#!/usr/bin/env node
// The CLI is thin: commander parses, each command lives in its own lazily imported file.
import { Argument, Command, CommanderError, Option } from 'commander';
import { UsageError } from '../errors.js';
import { fail } from './exit.js';
import { applyAnsibleSettings, collect, increase, positiveInt, wholeSeconds } from './options.js';

// `runbook … | head`: a reader that goes away must not crash a run half-way; the rest of the output is dropped and
// the run finishes on its hosts (with its own exit code).
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.stdout.write = (() => true) as typeof process.stdout.write;
});

const program = new Command('runbook')
  .description('Run Ansible-style playbooks over SSH on many hosts in parallel, and say honestly what changed.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

let verbosity = 0;

// run, exec and check have printed everything: exit now rather than wait for every host's sshd to close its end of
// the connection — once stdout and stderr are flushed (on Linux a pipe is written asynchronously, and process.exit
// would cut `-o json | jq` short).
async function exitAfterRun(code: number): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

// An empty write's callback runs once everything written before it has been handed to the OS.
function flushed(s: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => (s.writableLength === 0 ? resolve() : s.write('', () => resolve())));
}

// How to reach the hosts over SSH: every command that connects takes these.
function sshOptions(c: Command): Command {
  return c
    .option('-u, --user <name>', 'remote user (overrides ansible_user)')
    .addOption(
      new Option(
        '-c, --connection <type>',
        "local: run on this machine where the inventory sets no ansible_connection (Ansible's -c)",
      ).choices(['ssh', 'smart', 'paramiko', 'local']),
    )
    .option('--private-key <file>', 'private key file (overrides ansible_ssh_private_key_file)')
    .option('--known-hosts <file>', 'known_hosts file (default runbook_known_hosts var or ~/.ssh/known_hosts)')
    .addOption(
      new Option(
        '--host-key-checking <policy>',
        "accept-new records unknown keys; strict refuses them (default: ansible.cfg's host_key_checking = true: strict, else accept-new)",
      ).choices(['accept-new', 'strict']),
    )
    .option(
      '--connect-timeout <s>',
      "seconds to wait for a host to answer (default: ansible.cfg's timeout, else 10)",
      positiveInt('--connect-timeout'),
    );
}

function connectionOptions(c: Command): Command {
  return vaultOptions(
    sshOptions(
      c
        .option(
          '-i, --inventory <path>',
          "inventory file or directory (repeatable; default: ansible.cfg's inventory, else ./inventory)",
          collect,
        )
        .option('-l, --limit <pattern>', 'further limit hosts with a pattern (a:b, a,&b, !c, web*), or @file: one host per line')
        .option('-e, --extra-vars <vars>', 'k=v, JSON, or @file (repeatable; highest precedence)', collect)
        .option('-f, --forks <n>', "hosts worked on in parallel (default: ansible.cfg's forks, else 50)", positiveInt('--forks'))
        .option('-C, --check', 'change nothing; report what would change')
        .option('-D, --diff', 'show unified diffs of changed files'),
    )
      .option('--timeout <s>', 'per-task timeout in seconds', positiveInt('--timeout'))
      .addOption(new Option('-o, --output <mode>', 'output format').choices(['auto', 'plain', 'json', 'tty']).default('auto'))
      .option('-v, --verbose', 'show command output (-vvv: stack traces)', increase, 0)
      .option('--shard <i/n>', 'run only shard i of n (split by a hash of the host name; merge with merge-reports)'),
  );
}

// Ansible's vault password options (read before anything is loaded); ANSIBLE_VAULT_PASSWORD_FILE and
// RUNBOOK_VAULT_PASSWORD add to them.
function vaultOptions(c: Command): Command {
  return c
    .option('--vault-id <[label@]source>', 'a vault password: a file, an executable printing it, or prompt (repeatable)', collect)
    .option('--vault-password-file <file>', 'file holding the vault password, or an executable printing it (repeatable)', collect)
    .option('--ask-vault-pass', 'prompt for the vault password');
}

// The options that pick tasks of a playbook, shared by run and check.
function taskSelection(c: Command): Command {
  return c
    .option('-t, --tags <tags>', 'only tasks with these tags (comma list, repeatable)', collect)
    .option('--skip-tags <tags>', 'skip tasks with these tags', collect)
    .option('--start-at-task <name>', 'start at the task with this name');
}

const reportOption = ['--report <file>', 'also write a self-contained HTML report (timeline, recap, diffs) to this file'] as const;

// What every command that runs tasks does first: remember -v for error output, take ansible.cfg's defaults where no
// option is given, then unlock vault files.
async function prepare(opts: { verbose: number; vaultId?: string[]; vaultPasswordFile?: string[]; askVaultPass?: boolean }): Promise<void> {
  verbosity = opts.verbose;
  applyAnsibleSettings(opts);
  await (await import('./vault.js')).setupVault(opts);
}

taskSelection(
  connectionOptions(
    program.command('run').description('run a playbook against the inventory').argument('<playbook>', 'playbook YAML file'),
  ),
)
  .option('--list-hosts', 'list the hosts each play targets, then stop')
  .option('--list-tasks', 'list the tasks, then stop')
  .option('--syntax-check', 'load and validate only; touch no host')
  .option('--force-handlers', 'run notified handlers even on hosts that failed')
  .addOption(new Option('--rerun <which>', 'only the hosts the last run of this playbook left failed or unreachable').choices(['failed']))
  .option(
    '--confirm-timeout <s>',
    'network safety: seconds a host stays armed around network changes before it restores itself unless confirmed (0: off)',
    wholeSeconds('--confirm-timeout'),
    60,
  )
  .option(
    '--rollback-on-failure',
    'network safety: a host that fails a task is put back as it was before the play (network and files written)',
  )
  .option(...reportOption)
  .action(async (file: string, opts) => {
    await prepare(opts);
    const { runCommand } = await import('./run.js');
    await exitAfterRun(await runCommand(file, opts));
  });

connectionOptions(
  program
    .command('exec')
    .description('run one ad-hoc task on the hosts matching <pattern>')
    .argument('<pattern>', 'host pattern (all, group, host, web*, a:b, a:&b, a:!b)')
    .argument('[command...]', 'shell command (after --)'),
)
  .option('-m, --module <name>', 'module to run instead of a shell command')
  .option('-a, --args <args>', 'module arguments: k=v … or a YAML map')
  .option('-b, --become', 'run through sudo')
  .option('--become-user <user>', 'with -b: the user to become (default: ansible_become_user, else root)')
  .option(...reportOption)
  .action(async (pattern: string, command: string[], opts) => {
    await prepare(opts);
    const { execCommand } = await import('./exec.js');
    await exitAfterRun(await execCommand(pattern, command, opts));
  });

taskSelection(
  connectionOptions(
    program
      .command('check')
      .description('check mode for CI and drift monitoring: exit 0 when nothing would change, 5 listing what would')
      .argument('<playbook>', 'playbook YAML file'),
  ),
)
  .option(...reportOption)
  .action(async (file: string, opts) => {
    await prepare(opts);
    const { checkCommand } = await import('./check.js');
    await exitAfterRun(await checkCommand(file, opts));
  });

program
  .command('merge-reports')
  .description('merge the --output json reports of sharded runs into one recap and exit code')
  .argument('<reports...>', 'JSON-lines files written by run/exec --output json (or their summary lines)')
  .addOption(new Option('-o, --output <mode>', 'output format').choices(['plain', 'json']).default('plain'))
  .action(async (files: string[], opts) => {
    const { mergeReportsCommand } = await import('./merge-reports.js');
    process.exitCode = await mergeReportsCommand(files, opts);
  });

vaultOptions(
  program
    .command('inventory')
    .description('show hosts, groups and resolved variables')
    .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect)
    .option('--list', 'all hosts and groups with their vars, as JSON')
    .option('--graph', 'the group tree')
    .option('--host <name>', 'one host’s resolved vars, as JSON'),
).action(async (opts) => {
  await (await import('./vault.js')).setupVault(opts);
  const [{ loadInventory }, { describeInventory }, { inventorySources }] = await Promise.all([
    import('../inventory/load.js'),
    import('../inventory/show.js'),
    import('./options.js'),
  ]);
  const inv = loadInventory(inventorySources(opts.inventory));
  const mode = opts.graph ? 'graph' : 'list';
  const [{ addSecretVars }, { hostVars }] = await Promise.all([import('../vault/secrets.js'), import('../inventory/vars.js')]);
  for (const h of inv.hosts.keys()) addSecretVars(hostVars(inv, h));
  process.stdout.write(`${describeInventory(inv, mode, opts.host)}\n`);
});

vaultOptions(
  program
    .command('vault')
    .description(
      "encrypt, decrypt, view or edit a vars file in Ansible Vault's format (ansible-vault reads it); encrypt-string prints a !vault value",
    )
    .argument('<action>', 'encrypt, decrypt, view, edit or encrypt-string')
    .argument('<file>', 'the vars file (encrypt-string: the value)'),
)
  .option('--encrypt-vault-id <label>', 'the --vault-id label to encrypt with (default: the first given)')
  .option('--name <var>', 'encrypt-string: the variable name to print')
  .action(async (action: string, file: string, opts) => {
    const act = action === 'encrypt_string' ? 'encrypt-string' : action;
    if (!['encrypt', 'decrypt', 'view', 'edit', 'encrypt-string'].includes(act))
      throw new UsageError(`unknown vault action "${action}"`, {
        hint: 'use: runbook vault encrypt|decrypt|view|edit FILE, or runbook vault encrypt-string VALUE --name VAR',
      });
    const { vaultCommand } = await import('./vault.js');
    process.exitCode = await vaultCommand(act as 'encrypt', file, opts);
  });

program
  .command('lab')
  .description('a lab of real OpenSSH hosts in network namespaces (root): up [N] | down | status')
  .argument('<action>', 'up, down or status')
  .argument('[count]', 'hosts for up', '3')
  .option('--name <name>', 'lab name (several labs can coexist)', 'lab')
  .option('--ovs', 'also start Open vSwitch on each host with the userspace underlay (for gre-mesh)')
  .action(async (action: string, count: string, opts) => {
    if (!['up', 'down', 'status'].includes(action))
      throw new UsageError(`unknown lab action "${action}"`, { hint: 'use: runbook lab up [N] | down | status' });
    const n = positiveInt('lab size')(count);
    const { labCommand } = await import('../lab/command.js');
    process.stdout.write(`${await labCommand(action as 'up' | 'down' | 'status', { name: opts.name, count: n, ovs: !!opts.ovs })}\n`);
  });

program
  .command('doc')
  .description("show a module's arguments, defaults, choices and an example (like ansible-doc)")
  .argument('[module]', 'module name (ansible.builtin.x works too)')
  .option('-l, --list', 'list the modules with what each does')
  .action(async (module: string | undefined, opts: { list?: boolean }) => {
    const { docCommand } = await import('./doc.js');
    process.stdout.write(docCommand(module, opts));
  });

program
  .command('completion')
  .description('print a shell completion script: source <(runbook completion bash)')
  .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
  .action(async (shell: 'bash' | 'zsh') => {
    const { completionScript, specOf } = await import('./completion.js');
    process.stdout.write(completionScript(shell, specOf(program)));
  });

program
  .command('__complete', { hidden: true })
  .argument('<what>', 'hosts')
  .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect)
  .action(async (what: string, opts) => {
    const { completeWords } = await import('./completion.js');
    process.stdout.write(completeWords(what, opts.inventory));
  });

vaultOptions(
  sshOptions(
    program
      .command('graph')
      .description('draw the GRE mesh the inventory plans (hosts, addresses, subnets, tunnels); --live compares it with the hosts')
      .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect)
      .option('--playbook <file>', 'mesh hosts from the play of this playbook that creates GRE ports (e.g. playbooks/gre-mesh.yaml)')
      .option('-g, --group <pattern>', 'mesh hosts as a host pattern (default: group mesh)')
      .option(
        '-o, --output <file>',
        'write to this file (format from .svg, .dot/.gv, .mmd, .json) instead of stdout; `-o json`: JSON on stdout',
      )
      .addOption(
        new Option('--format <format>', 'output format (default: from -o, else mermaid)').choices(['svg', 'mermaid', 'dot', 'json']),
      )
      .option('--live', 'connect to the hosts and mark in red what differs from the plan (exit 5 when it differs)')
      .option(
        '--probe',
        "with --live: send full-size pings (don't fragment, at the mtu) and 64 KB over TCP between every pair across the overlay (exit 5 when a pair fails)",
      ),
  ),
).action(async (opts) => {
  applyAnsibleSettings(opts);
  await (await import('./vault.js')).setupVault(opts);
  const { graphCommand } = await import('./graph.js');
  process.exitCode = await graphCommand(opts);
});

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exit(0);
    process.exit(4);
  }
  fail(e, verbosity);
});
