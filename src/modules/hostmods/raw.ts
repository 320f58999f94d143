// Ansible's raw: the text as the login shell runs it, no module machinery; like Ansible it always reports changed.
import { quote } from '../../remote/quote.js';
import { fail } from '../args.js';
import { defineModule } from '../types.js';

export const raw = defineModule({
  name: 'raw',
  doc: "Runs a command line through the login user's shell over SSH, nothing else; always reports changed, as Ansible does.",
  example: 'raw: test -e /usr/bin/python3 || (apt-get update && apt-get install -y python3-minimal)',
  freeForm: true,
  args: {
    _raw: { description: 'the command line, given to the login shell as it is' },
    executable: { type: 'path', description: 'run the line as <executable> -c <line> instead of by the login shell' },
  },
  required_one_of: [['_raw']],
  build(v, a) {
    const line = v._raw ?? '';
    if (!line.trim()) fail(a, 'the command is empty');
    return { line, executable: v.executable };
  },
  async plan(p) {
    const cmd = p.executable ? `${quote(p.executable)} -c ${quote(p.line)}` : p.line;
    return { changed: true, steps: [{ kind: 'exec', cmd, capture: true }], result: { cmd: p.line } };
  },
});
