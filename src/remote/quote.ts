// POSIX single-quote quoting: commands are built from quoted words, never concatenated raw.
export function quote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function cmd(bin: string, ...args: string[]): string {
  let out = bin;
  for (let i = 0; i < args.length; i++) out += ` ${quote(args[i])}`;
  return out;
}

/**
 * `cat <path>` done by the shell's own `read` (no process on the host), for small files; `path` is already quoted.
 * A last line without its newline gets one, so what follows starts on a line of its own.
 */
export const readLines = (path: string): string => `while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done < ${path}`;
