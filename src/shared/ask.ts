// One line typed at the terminal (vars_prompt, pause, --ask-vault-pass); hidden answers are read in raw mode, so
// nothing is echoed, as getpass does. Ctrl+C rejects with the caller's error; Enter (or Ctrl+D) ends the line.
export function askLine(question: string, o: { hidden: boolean; interrupted: () => Error }): Promise<string> {
  process.stderr.write(question);
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let buf = '';
    const wasRaw = stdin.isRaw;
    if (o.hidden) stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    const done = (err?: Error) => {
      stdin.off('data', onData);
      if (o.hidden) stdin.setRawMode(wasRaw);
      stdin.pause();
      if (o.hidden) process.stderr.write('\n');
      if (err) reject(err);
      else resolve(buf);
    };
    const onData = (chunk: string) => {
      for (const c of chunk) {
        if (c === '\u0003') return done(o.interrupted());
        if (c === '\r' || c === '\n' || (o.hidden && c === '\u0004')) return done();
        if (c === '\u007f' || c === '\b') buf = buf.slice(0, -1);
        else buf += c;
      }
    };
    stdin.on('data', onData);
  });
}
