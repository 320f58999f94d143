// Ansible's script: a controller-side file uploaded to a temporary path on the host, run with its arguments, removed.
import { randomBytes } from 'node:crypto';
import { basename, posix } from 'node:path';
import { quote } from '../../remote/quote.js';
import { fail, isTemplated } from '../args.js';
import { checkGuards } from '../command.js';
import { shlexSplit } from '../shlex.js';
import { defineModule } from '../types.js';

export interface ScriptArgs {
  src: string;
  args: string[];
  creates?: string;
  removes?: string;
  chdir?: string;
  executable?: string;
}

export const script = defineModule({
  name: 'script',
  doc: 'Uploads a local script to a temporary path on the host, runs it there with its arguments, and removes it.',
  example: 'script: files/setup.sh --flag creates=/etc/setup.done',
  freeForm: true,
  args: {
    _raw: { description: 'the local script (searched in files/) and its arguments' },
    cmd: { description: 'the local script and its arguments, as an argument instead of free form' },
    creates: { type: 'path', description: 'skip the run when this path exists on the host' },
    removes: { type: 'path', description: 'run only when this path exists on the host' },
    chdir: { type: 'path', description: 'directory on the host to run in' },
    executable: { description: 'program that runs the script (python3, bash), else the script runs itself' },
    decrypt: { type: 'bool', default: true, description: 'accepted: a vault-encrypted script is not supported' },
  },
  mutually_exclusive: [['_raw', 'cmd']],
  required_one_of: [['_raw', 'cmd']],
  build(v, a): ScriptArgs {
    const text = (v._raw ?? v.cmd ?? '').trim();
    let words: string[];
    try {
      words = isTemplated(text) ? [text] : shlexSplit(text);
    } catch (e) {
      fail(a, `cannot split the script line: ${(e as Error).message}`, 'balance the quotes or escape them with \\');
    }
    if (!words.length || words[0] === '') fail(a, 'no script given', 'write script: files/setup.sh --flag');
    return { src: words[0], args: words.slice(1), creates: v.creates, removes: v.removes, chdir: v.chdir, executable: v.executable };
  },
  async plan(p, probe, ctx) {
    const skipped = await checkGuards({ creates: p.creates, removes: p.removes }, probe);
    if (skipped) return { changed: false, skipped };
    const content = ctx.readLocal(p.src);
    const dest = `/tmp/.runbook-script-${randomBytes(6).toString('hex')}-${basename(p.src).replace(/[^\w.-]/g, '_')}`;
    const run = [...(p.executable ? shlexSplit(p.executable) : []), dest, ...p.args].map(quote).join(' ');
    const cd = p.chdir ? `cd ${quote(p.chdir)} && ` : '';
    // removed whatever the script's exit status, which stays the task's
    const cmd = `(${cd}${run}); rc=$?; rm -f ${quote(dest)}; exit $rc`;
    return {
      changed: true,
      steps: [
        { kind: 'upload', dest, content, mode: '0700' },
        { kind: 'exec', cmd, capture: true },
      ],
      result: { cmd: [p.src, ...p.args].join(' ') },
      note: `${posix.basename(p.src)} ${p.args.join(' ')}`.trim(),
    };
  },
});
