// The zsh flavour of `runbook completion`: _arguments specs from the same CompletionSpec as the bash script.
import type { CommandSpec, CompletionSpec, OptionSpec } from './completion.js';

// zsh's _arguments specs: [ ] and : inside descriptions would end the field, so they are replaced.
const zq = (s: string) => s.replace(/[[\]]/g, '').replace(/:/g, ' -').replace(/'/g, "'\\''");

function zshAction(o: OptionSpec): string {
  if (!o.value) return '';
  if (o.choices) return `:${o.value}:(${o.choices.join(' ')})`;
  if (o.value === 'file') return ':file:_files';
  if (o.value === 'hosts') return ':hosts:_runbook_hosts';
  if (o.value === 'vars') return ':vars: ';
  return ':value: ';
}

function zshPositional(kind: CommandSpec['positionals'][number], i: number, last: boolean): string {
  const n = last ? '*' : String(i + 1);
  if (Array.isArray(kind)) return `'${n}:word:(${kind.join(' ')})'`;
  if (kind === 'playbook') return `'${n}:playbook:_files -g "*.(yaml|yml)"'`;
  if (kind === 'hosts') return `'${n}:hosts:_runbook_hosts'`;
  if (kind === 'file') return `'${n}:file:_files'`;
  return `'${n}:argument: '`;
}

// #compdef makes it usable both sourced and installed in $fpath as _runbook.
export function zshScript(spec: CompletionSpec): string {
  const cmdList = spec.commands.map((c) => `    '${c.name}:${zq(c.description)}'`);
  const cases = spec.commands.map((c) => {
    const opts = c.options.flatMap((o) => o.flags.map((f) => `'${f}[${zq(o.description)}]${zshAction(o)}'`));
    const pos = c.positionals.map((k, i) => zshPositional(k, i, i === c.positionals.length - 1 && c.positionals.length > 1));
    return `    ${c.name}) _arguments -s ${[...opts, ...pos].join(' ')} ;;`;
  });
  return `#compdef runbook
# runbook completion for zsh. Load it with:  source <(runbook completion zsh)
# or install it as _runbook in a directory of $fpath:  runbook completion zsh > ~/.zfunc/_runbook
_runbook_hosts() {
  local -a invs hosts
  local i
  for (( i = 2; i < CURRENT; i++ )); do
    case \${words[i]} in
      -i|--inventory) invs+=(-i \${~words[i+1]}) ;;
      --inventory=*) invs+=(-i \${~words[i]#--inventory=}) ;;
    esac
  done
  hosts=(\${(f)"$(\${_runbook_prog:-runbook} __complete hosts $invs 2>/dev/null)"})
  compadd -a hosts
}

_runbook() {
  local -a commands
  commands=(
${cmdList.join('\n')}
  )
  _runbook_prog=\${words[1]}
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  local cmd=\${words[2]}
  words=(\${words[2,-1]})
  (( CURRENT-- ))
  case $cmd in
${cases.join('\n')}
  esac
}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _runbook "$@"
else
  compdef _runbook runbook
fi
`;
}
