// Ansible's tempfile: a new, uniquely named file or directory; like Ansible, every run makes a new one.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { quote } from '../../remote/quote.js';
import { fail } from '../args.js';
import { defineModule, type Plan } from '../types.js';

// Python's tempfile names: 8 characters of [a-z0-9_].
const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789_';
export const randomName = (): string => [...randomBytes(8)].map((b) => LETTERS[b % LETTERS.length]).join('');

export const tempfile = defineModule({
  name: 'tempfile',
  doc: 'Creates a uniquely named temporary file (mode 0600) or directory (0700); the result path names it. Always a change.',
  example: 'tempfile: {state: directory, suffix: build}',
  args: {
    state: { choices: ['file', 'directory'], default: 'file', description: 'what to create' },
    path: { type: 'path', description: 'directory to create it in (default /tmp)' },
    prefix: { default: 'ansible.', description: 'start of the name' },
    suffix: { default: '', description: 'end of the name' },
  },
  build(v, a) {
    if (/\//.test(v.prefix) || /\//.test(v.suffix)) fail(a, 'prefix and suffix must not contain "/"');
    return { state: v.state as 'file' | 'directory', path: v.path, prefix: v.prefix, suffix: v.suffix };
  },
  async plan(p, _probe, ctx): Promise<Plan> {
    if (ctx.check) return { changed: false, skipped: 'tempfile does not support check mode' };
    const name = `${p.prefix}${randomName()}${p.suffix}`;
    const path = posix.join(p.path ?? '/tmp', name);
    const target = quote(path);
    // set -C: the redirection fails rather than reuse an existing name (mkstemp's O_EXCL).
    const create = p.state === 'directory' ? `mkdir -m 0700 -- ${target}` : `(umask 077 && set -C && : > ${target})`;
    return {
      changed: true,
      steps: [{ kind: 'exec', cmd: create }],
      note: `created ${p.state}`,
      result: { path, state: p.state },
    };
  },
});
