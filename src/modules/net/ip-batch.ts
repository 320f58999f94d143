// Several `ip` commands as one process, read by `ip -batch` from a here-document in the command's own text.

/**
 * Words ip's batch reader takes as they are: it splits lines at blanks and gives quotes, backslashes and `#` a
 * meaning of their own, so only plain words go into a batch.
 */
const PLAIN = /^[A-Za-z0-9_.:@%+/=,-]+$/;

/** Ends the here-document: a line no ip command can be (commands start with an object name in lower case). */
const END = 'RB_IP_BATCH';

/**
 * `ip -batch` over the given commands (each the words after `ip`), or undefined when a word is not plain (then run
 * them one by one). The lines travel in the command's text, not on stdin: no stdin to frame on the host (no `head`
 * process, no start marker and its round trip). ip stops at the first command that fails and names its line
 * ("Command failed -:N").
 */
export function ipBatch(lines: string[][]): string | undefined {
  if (!lines.length || !lines.every((l) => l.length > 0 && l.every((w) => PLAIN.test(w)))) return undefined;
  return `ip -batch - <<'${END}'\n${lines.map((l) => l.join(' ')).join('\n')}\n${END}\n`;
}
