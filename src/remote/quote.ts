// POSIX single-quote quoting: commands are built from quoted words, never concatenated raw.
export function quote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export const cmd = (bin: string, ...args: string[]): string => [bin, ...args.map(quote)].join(' ');

/**
 * `cat <path>` done by the shell's own `read` (no process on the host), for small files; `path` is already quoted.
 * A last line without its newline gets one, so what follows starts on a line of its own.
 */
export const readLines = (path: string): string => `while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done < ${path}`;
