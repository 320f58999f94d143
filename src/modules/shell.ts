// Runs a line through a shell, for pipes, redirections and variables that `command` refuses.
import { quote } from '../remote/quote.js';
import { fail } from './args.js';
import { GUARD_ARGS, type Guards, guardsOf, planRun } from './command.js';
import { defineModule } from './types.js';

/** Normalised shell args: the line is run as `<executable> -c <line>`. */
export interface ShellArgs extends Guards {
  line: string;
  executable: string;
}

/** Ansible's shell plus `unless` (a read-only check command: exit 0 skips the run). */
export const shell = defineModule({
  name: 'shell',
  doc: 'Runs a line through a shell, for pipes, redirections and variables that command refuses.',
  example: 'shell: ip -o link show obr0 | grep -q UP || ip link set obr0 up',
  freeForm: true,
  args: {
    _raw: { description: 'the shell line' },
    cmd: { description: 'the shell line, as an argument instead of free form' },
    unless: { description: 'a read-only check command run first: exit 0 skips the task' },
    executable: { type: 'path', default: '/bin/sh', description: 'the shell that runs the line (as <executable> -c <line>)' },
    ...GUARD_ARGS,
  },
  mutually_exclusive: [['_raw', 'cmd']],
  required_one_of: [['_raw', 'cmd']],
  build(v, a): ShellArgs {
    const line = v._raw ?? v.cmd ?? '';
    if (!line.trim()) fail(a, 'the command is empty');
    return { line, executable: v.executable, unless: v.unless, ...guardsOf(v, a) };
  },
  async plan(p, probe) {
    const plan = await planRun(`${quote(p.executable)} -c ${quote(p.line)}`, p, probe);
    if (plan.result) plan.result.cmd = p.line;
    return plan;
  },
});
