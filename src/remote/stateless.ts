// Whether a command line can run in the persistent shell itself, without the subshell each task gets so that cd,
// export, umask and the like die with it: true only for commands that cannot change the shell at all. The subshell
// is a fork on the host per task (on 20 hosts × 30 tasks ~11 % of all CPU); most `shell:` and `command:` lines are
// programs with arguments, pipes and redirections, and those need none. Written here, not taken from a shell parser
// library: the question is not "what does this parse to" but "is it inside a grammar small enough to be sure", and
// anything outside it (a builtin, an assignment, $( ), ${ }, a group, a background job, a here-document, a comment,
// a bad quote) simply keeps the subshell.

/** Builtins a command may start with: regular ones that change nothing (a special builtin's failed redirection would end the shell). */
const HARMLESS = new Set(['echo', 'printf', 'test', '[', 'true', 'false', 'pwd']);

/** Reserved words and builtins of dash, bash, ksh and busybox sh: never run outside the subshell. */
const SHELL_WORDS = new Set(
  (
    'if then else elif fi case esac for while until do done in function select time coproc ' +
    'alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs disown enable ' +
    'eval exec exit export fc fg getopts hash help history jobs kill let local logout mapfile popd pushd read ' +
    'readarray readonly return set shift shopt source suspend times trap type typeset ulimit umask unalias unset ' +
    'wait autoload bindkey emulate float integer nameref print whence chdir functions . :'
  ).split(' '),
);

/** Characters that end an unquoted word. */
const ENDS_WORD = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>']);
/** Characters never accepted unquoted (groups, command substitution, comments). */
const REFUSED = new Set(['(', ')', '`', '#', '\0', '\r']);

/** A command word the grammars here accept: a literal program path, or a name that is no shell word. */
function programName(name: string): boolean {
  return /^[A-Za-z0-9_./+-]+$/.test(name) && (name.includes('/') || !SHELL_WORDS.has(name));
}

/** Unquoted characters a plain word may hold: none that the shell expands, globs, ends a word on or groups with. */
const PLAIN = /[A-Za-z0-9_@%+=:,./-]/;

/**
 * True when `cmd` is one simple command of plain words: NAME=value assignments first, then a command name that is no
 * shell word, then arguments, each word unquoted PLAIN characters or 'single-quoted' text. Nothing that makes two
 * commands of it (; & | or a newline outside quotes), no redirection, expansion, glob or group: such a command can
 * take redirections written in front of it and be exec'd in place (the probe batch, probe-batch.ts).
 */
export function singleCommand(cmd: string): boolean {
  const words: { text: string; quoted: boolean }[] = [];
  let cur: { text: string; quoted: boolean } | undefined;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i]!;
    if (c === ' ' || c === '\t') {
      cur = undefined;
      continue;
    }
    if (!cur) words.push((cur = { text: '', quoted: false }));
    if (c === "'") {
      const close = cmd.indexOf("'", i + 1);
      if (close < 0) return false;
      cur.text += cmd.slice(i + 1, close);
      cur.quoted = true;
      i = close;
    } else if (PLAIN.test(c)) cur.text += c;
    else return false;
  }
  let k = 0;
  while (k < words.length && !words[k]!.quoted && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[k]!.text)) k++;
  const name = words[k];
  return name !== undefined && !name.quoted && programName(name.text);
}

/**
 * True when `cmd` is simple commands joined by `;`, newlines, `&&`, `||` and `|`, each a literal program path or a
 * name that is no shell word (or echo/printf/test/[/true/false/pwd), then words (quoted or not, `$NAME` but not
 * `${…}` or `$(…)`) and redirections (`>`, `>>`, `<`, `N>&M`) with a word after each.
 */
export function stateless(cmd: string): boolean {
  if (cmd.length === 0 || cmd.length > 8192) return false;
  let i = 0;
  const n = cmd.length;
  // words in the current simple command; whether the last thing was an operator that needs a command after it
  let words = 0;
  let needCommand = false;
  let commands = 0;
  let name: string | undefined;
  /**
   * Reads one word at i (quotes, escapes, $NAME), or null if refused: `literal` is the word when it had no quotes,
   * escapes or `$`; `value` what the shell makes of it when no `$` or escape is in it.
   */
  const word = (): { literal: string | undefined; value: string | undefined } | null => {
    let literal: string | undefined = '';
    let value: string | undefined = '';
    const start = i;
    while (i < n && !ENDS_WORD.has(cmd[i]!)) {
      const c = cmd[i]!;
      if (REFUSED.has(c)) return null;
      if (c === "'") {
        const close = cmd.indexOf("'", i + 1);
        if (close < 0) return null;
        if (value !== undefined) value += cmd.slice(i + 1, close);
        i = close + 1;
        literal = undefined;
      } else if (c === '"') {
        const open = ++i;
        for (;;) {
          if (i >= n) return null;
          const d = cmd[i]!;
          if (d === '"') break;
          if (d === '`' || d === '\0') return null;
          if (d === '\\') {
            if (i + 1 >= n || cmd[i + 1] === '\n') return null;
            i += 2;
            value = undefined;
            continue;
          }
          if (d === '$') {
            if (!dollar(i)) return null;
            i += dollarLength(i);
            value = undefined;
            continue;
          }
          i++;
        }
        if (value !== undefined) value += cmd.slice(open, i);
        i++;
        literal = undefined;
      } else if (c === '\\') {
        if (i + 1 >= n || cmd[i + 1] === '\n' || cmd[i + 1] === '\0') return null;
        i += 2;
        literal = value = undefined;
      } else if (c === '$') {
        if (!dollar(i)) return null;
        i += dollarLength(i);
        literal = value = undefined;
      } else {
        if (literal !== undefined) literal += c;
        if (value !== undefined) value += c;
        i++;
      }
    }
    return i > start ? { literal, value } : null;
  };
  /** `$` at j followed by a name, a digit or one of ?$#@*!- (a read, never an assignment or a substitution). */
  const dollar = (j: number): boolean => /^\$([A-Za-z_]|[0-9?$#@*!-])/.test(cmd.slice(j, j + 2));
  /** `$?`, `$1`…: the two characters; `$NAME`: the `$` (the name's characters are read as plain ones). */
  const dollarLength = (j: number): number => (/[0-9?$#@*!-]/.test(cmd[j + 1] ?? '') ? 2 : 1);

  while (i < n) {
    const c = cmd[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '\n' || c === ';') {
      if (needCommand) return false;
      if (c === ';' && words === 0) return false;
      words = 0;
      i++;
      continue;
    }
    if (c === '&' || c === '|') {
      const two = cmd.slice(i, i + 2);
      const op = two === '&&' || two === '||' ? two : c === '|' ? '|' : undefined;
      if (!op || words === 0 || needCommand) return false;
      i += op.length;
      words = 0;
      needCommand = true;
      continue;
    }
    // a redirection: [N]> [N]>> [N]< then a word, or [N]>&M / [N]<&M
    const redir = /^[0-9]?(>>|>&|<&|>|<)/.exec(cmd.slice(i, i + 3));
    if (redir) {
      if (words === 0) return false;
      const op = redir[1]!;
      i += redir[0].length;
      if (op === '>&' || op === '<&') {
        if (!/[0-9]/.test(cmd[i] ?? '') || (i + 1 < n && !ENDS_WORD.has(cmd[i + 1]!))) return false;
        i++;
        continue;
      }
      if (cmd[i] === '<' || cmd[i] === '>' || cmd[i] === '|' || cmd[i] === '&') return false;
      while (cmd[i] === ' ' || cmd[i] === '\t') i++;
      if (i >= n || ENDS_WORD.has(cmd[i]!) || word() === null) return false;
      continue;
    }
    const w = word();
    if (w === null) return false;
    if (words === 0) {
      // the command itself: a literal without `=` (no assignment), a path, or a name that is no shell word
      name = w.literal;
      if (name === undefined) return false;
      if (!HARMLESS.has(name) && !programName(name)) return false;
      commands++;
    } else if (words === 1 && name === 'printf' && /^-v/.test(w.value ?? '-v')) {
      // bash's printf -v assigns a variable (a quoted first argument could be -v too)
      return false;
    }
    words++;
    needCommand = false;
  }
  return !needCommand && commands > 0;
}
