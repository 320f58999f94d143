// Ansible's fetch: a host file copied to the controller, under dest/<inventory_hostname>/<src path> unless flat.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { posix, resolve } from 'node:path';
import { quote } from '../../remote/quote.js';
import { section, sections } from '../net/probe-text.js';
import { defineModule, type Plan, type TaskContext } from '../types.js';

export interface FetchArgs {
  src: string;
  dest: string;
  flat: boolean;
  fail_on_missing: boolean;
  validate_checksum: boolean;
}

const digest = (algo: string, b: Buffer) => createHash(algo).update(b).digest('hex');

/** The controller path the file lands at, as Ansible's fetch action computes it (relative to the playbook). */
export function fetchDest(p: FetchArgs, ctx: Pick<TaskContext, 'baseDir' | 'host' | 'vars'>): string {
  let dest = p.dest.replace(/^~(?=\/|$)/, homedir());
  if (p.flat) {
    if (dest.endsWith('/')) dest = posix.join(dest, posix.basename(p.src));
  } else {
    const host = String(ctx.vars.inventory_hostname ?? ctx.host);
    dest = posix.join(dest, host, posix.normalize(`/${p.src}`));
  }
  return resolve(ctx.baseDir, dest);
}

function localFile(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

export const fetch = defineModule({
  name: 'fetch',
  doc: 'Copies a file from the host to the controller (dest/<host>/<src>, or dest itself with flat); unchanged files are not re-sent.',
  example: 'fetch: {src: /etc/hostname, dest: fetched/}',
  args: {
    src: { type: 'path', required: true, description: 'the file on the host (not a directory)' },
    dest: { type: 'path', required: true, description: 'controller directory (or file with flat), relative to the playbook' },
    flat: {
      type: 'bool',
      default: false,
      description: 'dest is the file itself (or a directory ending in /) instead of dest/<host>/<src>',
    },
    fail_on_missing: { type: 'bool', default: true, description: 'fail when src does not exist on the host' },
    validate_checksum: { type: 'bool', default: true, description: "check the downloaded file against the host's sha1" },
    // Ansible's fetch takes no mode either, and ignores one it is given: roles write it (ansible-lockdown's CIS)
    mode: { type: 'raw', description: "accepted and ignored, as Ansible's fetch ignores it" },
  },
  build: (v): FetchArgs => ({ ...v }),
  async plan(p, probe, ctx): Promise<Plan> {
    const q = quote(p.src);
    const r = await probe.run(
      `if [ -d ${q} ]; then ${section('dir', 'true')}; elif [ -e ${q} ]; then if [ -r ${q} ]; then ${section('sha1', `sha1sum < ${q}`)}; else ${section('unreadable', 'true')}; fi; else ${section('missing', 'true')}; fi`,
    );
    const s = sections(r.stdout);
    const dest = fetchDest(p, ctx);
    if (s.dir !== undefined)
      return { changed: false, failed: 'remote file is a directory, fetch cannot work on directories', result: { file: p.src } };
    if (s.missing !== undefined || s.unreadable !== undefined) {
      const msg =
        s.missing !== undefined ? 'the remote file does not exist, not transferring' : 'the remote file is not readable, not transferring';
      if (p.fail_on_missing) return { changed: false, failed: msg, result: { file: p.src } };
      return { changed: false, note: msg, result: { msg, file: p.src } };
    }
    const remote = s.sha1?.trim().split(/\s+/)[0];
    if (!remote) return { changed: false, failed: `cannot checksum ${p.src}: ${r.stderr.trim() || `exit ${r.code}`}` };
    const local = localFile(dest);
    const base = { dest, file: p.src, remote_checksum: remote };
    if (local && digest('sha1', local) === remote)
      return { changed: false, note: 'up to date', result: { ...base, checksum: remote, md5sum: digest('md5', local) } };
    const content = await probe.readFile(p.src);
    if (!content) return { changed: false, failed: `cannot read ${p.src}` };
    const got = digest('sha1', content);
    if (p.validate_checksum && got !== remote) return { changed: false, failed: 'checksum mismatch', result: { ...base, checksum: got } };
    return {
      changed: true,
      steps: [{ kind: 'local-write', path: dest, content }],
      note: `fetched to ${dest}`,
      result: { ...base, checksum: got, md5sum: digest('md5', content), remote_md5sum: null },
      diff: ctx.diff ? [{ path: dest, before: local?.toString('utf8') ?? '', after: content.toString('utf8') }] : undefined,
    };
  },
});
