// POSIX single-quote quoting: commands are built from quoted words, never concatenated raw.
export function quote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export const cmd = (bin: string, ...args: string[]): string => [bin, ...args.map(quote)].join(' ');
