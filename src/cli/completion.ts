// `runbook completion bash|zsh`: a script generated from the commander definitions, so it cannot miss an option.
import type { Command } from 'commander';
import { loadInventory } from '../inventory/load.js';
import { allModules } from '../modules/registry.js';
import { zshScript } from './completion-zsh.js';
import { inventorySources } from './options.js';

/** One option as completion needs it: its flags, whether it takes a value, and what the value is. */
export interface OptionSpec {
  flags: string[];
  description: string;
  value?: 'file' | 'hosts' | 'vars' | 'other';
  choices?: string[];
}

/** One command: its options and what its positional arguments complete to. */
export interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  /** Positional argument kinds in order; the last one repeats. */
  positionals: ('playbook' | 'hosts' | 'file' | 'none' | string[])[];
}

export interface CompletionSpec {
  commands: CommandSpec[];
}

const FILE_OPTIONS = ['--inventory', '--private-key', '--known-hosts', '--vault-password-file', '--report', '--playbook'];
const HOST_OPTIONS = ['--limit', '--host', '--group'];
// Positional kinds by argument name; plain-word arguments (vault and lab actions) list their words here.
const ARGUMENT_KINDS: Record<string, CommandSpec['positionals'][number]> = {
  playbook: 'playbook',
  pattern: 'hosts',
  reports: 'file',
  file: 'file',
  command: 'none',
  count: 'none',
  what: 'none',
};
const ACTIONS: Record<string, string[]> = { vault: ['encrypt', 'decrypt', 'view', 'edit'], lab: ['up', 'down', 'status'] };
// Arguments that complete to words known only at run time (read when the script is generated).
const WORDS: Record<string, () => string[]> = { module: () => allModules().map((m) => m.name) };

// Reads the live commander tree (hidden commands and options left out).
export function specOf(program: Command): CompletionSpec {
  const commands = program.commands
    .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
    .map((c) => ({
      name: c.name(),
      description: c.description(),
      options: [
        ...c.options
          .filter((o) => !o.hidden)
          .map((o): OptionSpec => {
            const flags = [o.short, o.long].filter((x): x is string => !!x);
            const takes = o.required || o.optional;
            // --output is a file on graph and a format with choices elsewhere.
            const isFile = FILE_OPTIONS.includes(o.long ?? '') || (o.long === '--output' && !o.argChoices);
            const value = !takes
              ? undefined
              : isFile
                ? 'file'
                : HOST_OPTIONS.includes(o.long ?? '')
                  ? 'hosts'
                  : o.long === '--extra-vars'
                    ? 'vars'
                    : 'other';
            return { flags, description: o.description, value, ...(o.argChoices ? { choices: [...o.argChoices] } : {}) };
          }),
        { flags: ['-h', '--help'], description: 'display help for command' },
      ],
      positionals: c.registeredArguments.map((a) =>
        a.argChoices
          ? [...a.argChoices]
          : ACTIONS[c.name()] && a.name() === 'action'
            ? ACTIONS[c.name()]
            : WORDS[a.name()]
              ? WORDS[a.name()]()
              : (ARGUMENT_KINDS[a.name()] ?? 'file'),
      ),
    }));
  return { commands };
}

/** `runbook __complete hosts -i X`: host and group names, one a line; nothing at all when the inventory cannot load. */
export function completeWords(what: string, inventory: string[] | undefined): string {
  if (what !== 'hosts') return '';
  try {
    const inv = loadInventory(inventorySources(inventory));
    const names = [...new Set([...inv.groups.keys(), ...inv.hosts.keys()])];
    return names.length ? `${names.join('\n')}\n` : '';
  } catch {
    return '';
  }
}

export function completionScript(shell: 'bash' | 'zsh', spec: CompletionSpec): string {
  return shell === 'bash' ? bashScript(spec) : zshScript(spec);
}

const words = (xs: string[]) => xs.join(' ');
const valueFlags = (spec: CompletionSpec, kind?: OptionSpec['value']) => [
  ...new Set(spec.commands.flatMap((c) => c.options.filter((o) => (kind ? o.value === kind : o.value)).flatMap((o) => o.flags))),
];

function bashPositional(kind: CommandSpec['positionals'][number]): string {
  if (Array.isArray(kind)) return `COMPREPLY=( $(compgen -W "${words(kind)}" -- "$cur") )`;
  if (kind === 'playbook') return '_runbook_playbooks "$cur"';
  if (kind === 'hosts') return 'COMPREPLY=( $(compgen -W "$(_runbook_hosts)" -- "$cur") )';
  if (kind === 'file') return 'compopt -o filenames 2>/dev/null; COMPREPLY=( $(compgen -f -- "$cur") )';
  return 'COMPREPLY=()';
}

function bashValue(o: OptionSpec): string {
  if (o.choices) return `COMPREPLY=( $(compgen -W "${words(o.choices)}" -- "$cur") )`;
  if (o.value === 'file') return 'compopt -o filenames 2>/dev/null; COMPREPLY=( $(compgen -f -- "$cur") )';
  if (o.value === 'hosts') return 'COMPREPLY=( $(compgen -W "$(_runbook_hosts)" -- "$cur") )';
  if (o.value === 'vars') return `[[ "$cur" == @* ]] && COMPREPLY=( $(compgen -P @ -f -- "\${cur#@}") )`;
  return 'COMPREPLY=()';
}

function bashScript(spec: CompletionSpec): string {
  const cmds = spec.commands.map((c) => c.name);
  // One arm per command and value-taking option: the same flag may take a file in one command and a word in another.
  const valueCases = spec.commands.flatMap((c) =>
    c.options.filter((o) => o.value).map((o) => `    ${o.flags.map((f) => `${c.name}:${f}`).join('|')}) ${bashValue(o)}; return 0 ;;`),
  );
  const optionCases = spec.commands.map((c) => `    ${c.name}) opts="${words(c.options.flatMap((o) => o.flags))}" ;;`);
  const positionalCases = spec.commands.map((c) => {
    const arms = c.positionals.map((k, i) => `${i === c.positionals.length - 1 ? '*' : i}) ${bashPositional(k)} ;;`);
    return `    ${c.name}) case $npos in ${arms.join(' ')} esac ;;`;
  });
  return `# runbook completion for bash. Load it with:  source <(runbook completion bash)
# or install it:  runbook completion bash > /etc/bash_completion.d/runbook
_runbook_hosts() {
  "\${_runbook_prog:-runbook}" __complete hosts "\${_runbook_inv[@]}" 2>/dev/null
}

_runbook_playbooks() {
  local cur="$1" f
  local -a out=()
  compopt -o filenames 2>/dev/null
  for f in "$cur"*.yaml "$cur"*.yml "$cur"*/*.yaml "$cur"*/*.yml; do
    [[ -f "$f" ]] && out+=("$f")
  done
  while IFS= read -r f; do
    [[ -n "$f" && ( "$f" != .* || "$cur" == .* ) ]] && out+=("$f")
  done < <(compgen -d -- "$cur")
  COMPREPLY=( "\${out[@]}" )
}

_runbook() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" opts="" w i npos=0
  local _runbook_prog="\${COMP_WORDS[0]}"
  local -a _runbook_inv=()
  COMPREPLY=()
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if (( COMP_CWORD <= 1 )); then
    COMPREPLY=( $(compgen -W "${words(cmds)} --help --version" -- "$cur") )
    return 0
  fi
  cmd="\${COMP_WORDS[1]}"
  for (( i = 2; i < COMP_CWORD; i++ )); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      -i|--inventory) _runbook_inv+=( -i "\${COMP_WORDS[i+1]/#\\~/$HOME}" ); (( i++ )) ;;
      --inventory=*) _runbook_inv+=( -i "\${w#--inventory=}" ) ;;
      ${valueFlags(spec).join('|')}) (( i++ )) ;;
      -*) ;;
      *) (( npos++ )) ;;
    esac
  done
  case "$cmd:$prev" in
${valueCases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    case "$cmd" in
${optionCases.join('\n')}
    esac
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
    return 0
  fi
  case "$cmd" in
${positionalCases.join('\n')}
  esac
  return 0
}
complete -F _runbook runbook
`;
}
