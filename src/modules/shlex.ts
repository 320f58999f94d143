// `command` runs no shell, so its free form is split here (POSIX shlex rules) and each word re-quoted.

/** Splits like Python's shlex.split: '…' literal, "…" with \\ \" \$ \` escapes, \ outside quotes. Throws on an open quote. */
export function shlexSplit(s: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated single quote');
      word += s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length && '\\"$`'.includes(s[i + 1])) i++;
        word += s[i++];
      }
      if (i >= s.length) throw new Error('unterminated double quote');
      i++;
    } else if (c === '\\') {
      if (i + 1 >= s.length) throw new Error('trailing backslash');
      word += s[i + 1];
      i += 2;
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
