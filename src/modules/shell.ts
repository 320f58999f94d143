// Runs a line through a shell, for pipes, redirections and variables that `command` refuses.
import { quote } from '../remote/quote.js';
import { argsOf, exactlyOne, fail, optStr } from './args.js';
import { GUARD_KEYS, type Guards, guardsOf, planRun } from './command.js';
import { defineModule } from './types.js';

/** Normalised shell args: the line is run as `<executable> -c <line>`. */
export interface ShellArgs extends Guards {
  line: string;
  executable: string;
}

/** Ansible's shell plus `unless` (a read-only check command: exit 0 skips the run). */
export const shell = defineModule<ShellArgs>({
  name: 'shell',
  freeForm: true,
  parse(raw, at) {
    const a = argsOf(raw, at, 'shell', ['_raw', 'cmd', 'unless', 'executable', ...GUARD_KEYS]);
    const line = optStr(a, exactlyOne(a, ['_raw', 'cmd'])) ?? '';
    if (!line.trim()) fail(a, 'the command is empty');
    const executable = optStr(a, 'executable') ?? '/bin/sh';
    return { line, executable, unless: optStr(a, 'unless'), ...guardsOf(a) };
  },
  async plan(p, probe) {
    const plan = await planRun(`${quote(p.executable)} -c ${quote(p.line)}`, p, probe);
    if (plan.result) plan.result.cmd = p.line;
    return plan;
  },
});
