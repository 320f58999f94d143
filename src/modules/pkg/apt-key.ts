// Ansible's apt_key, the modern way: keys live in files (/etc/apt/trusted.gpg.d/<id>.asc|.gpg or the keyring
// given), read and written by runbook itself, so neither apt-key nor gpg is needed on the host.
import { fail } from '../args.js';
import { firstError } from '../net/probe-text.js';
import { defineModule, type Plan, type Probe, type Step } from '../types.js';
import { armor, type Cert, certs, dearmor, idMatches, isArmored } from './pgp.js';
import { removeStep } from './repo-files.js';

const TRUSTED = '/etc/apt/trusted.gpg';
const TRUSTED_D = '/etc/apt/trusted.gpg.d';

export interface AptKeyArgs {
  id?: string;
  data?: string;
  file?: string;
  keyring?: string;
  state: 'present' | 'absent';
}

/** The key files apt trusts (or just the keyring given), each read whole. */
async function keyFiles(probe: Probe, keyring?: string): Promise<{ path: string; data: Buffer }[] | string> {
  let paths: string[];
  if (keyring) paths = [keyring];
  else {
    const r = await probe.run(`for f in ${TRUSTED} ${TRUSTED_D}/*.gpg ${TRUSTED_D}/*.asc; do [ -f "$f" ] && echo "$f"; done; true`);
    if (r.code !== 0) return `could not list ${TRUSTED_D}: ${firstError(r.stderr, `exit ${r.code}`)}`;
    paths = r.stdout.split('\n').filter(Boolean);
  }
  const out: { path: string; data: Buffer }[] = [];
  for (const path of paths) {
    const data = await probe.readFile(path);
    if (data) out.push({ path, data });
  }
  return out;
}

/** The file's bytes in its own format: armored text for .asc, binary packets otherwise. */
const encode = (path: string, packets: Buffer): Buffer => (path.endsWith('.asc') ? Buffer.from(armor(packets)) : packets);

export const aptKey = defineModule({
  name: 'apt_key',
  doc: 'An APT signing key present or absent, kept as a file in /etc/apt/trusted.gpg.d (or the keyring given); no apt-key, no gpg on the host.',
  example: 'apt_key: {id: 9DC858229FC7DD38854AE2D88D81803C0EBFCD88, file: /tmp/docker.asc, keyring: /etc/apt/keyrings/docker.asc}',
  args: {
    id: { description: 'key id (short, long or full fingerprint; 0x allowed); required for absent' },
    data: { description: 'the key itself (armored text)' },
    file: { type: 'path', description: 'a key file on the host (armored or binary)' },
    keyring: { type: 'path', description: 'the keyring file to hold the key (default /etc/apt/trusted.gpg.d/<id>.asc or .gpg)' },
    url: { description: 'refused: downloading is not supported (use file or data)' },
    keyserver: { description: 'refused: key servers need the network (use file or data)' },
    state: {
      choices: ['present', 'absent'],
      default: 'present',
      description: 'absent removes the key from every trusted file (or the keyring given)',
    },
    validate_certs: { type: 'bool', default: true, description: 'accepted: nothing is downloaded' },
  },
  mutually_exclusive: [['data', 'file', 'url', 'keyserver']],
  build(v, a): AptKeyArgs {
    if (v.url !== undefined)
      fail(a, `url "${v.url}": downloading keys is not supported`, 'copy the key to the host and give file, or give data');
    if (v.keyserver !== undefined)
      fail(
        a,
        `keyserver "${v.keyserver}": key servers need the network, which is not supported`,
        'export the key and give it as file or data',
      );
    if (v.state === 'absent' && !v.id) fail(a, 'state=absent needs id');
    if (v.state === 'present' && v.data === undefined && v.file === undefined)
      fail(a, 'state=present needs data or file (url and keyserver are not supported)');
    if (v.id && !v.id.includes('{{') && !/^(0x)?[0-9a-fA-F]{8,}$/.test(v.id.replace(/\s+/g, '')))
      fail(a, `id "${v.id}" is not a hexadecimal key id`);
    return { id: v.id, data: v.data, file: v.file, keyring: v.keyring, state: v.state as 'present' | 'absent' };
  },
  async plan(p, probe): Promise<Plan> {
    const files = await keyFiles(probe, p.keyring);
    if (typeof files === 'string') return { changed: false, failed: files };
    const held = files.map((f) => ({ ...f, certs: certs(f.data) ?? [] }));
    if (p.state === 'absent') {
      const steps: Step[] = [];
      const gone: string[] = [];
      for (const f of held) {
        const keep = f.certs.filter((c) => !idMatches(p.id!, c.fpr));
        if (keep.length === f.certs.length) continue;
        gone.push(...f.certs.filter((c) => idMatches(p.id!, c.fpr)).map((c) => c.fpr));
        steps.push(
          keep.length
            ? { kind: 'upload', dest: f.path, content: encode(f.path, Buffer.concat(keep.map((c) => c.raw))) }
            : removeStep(f.path),
        );
      }
      const result = { id: p.id, fp: gone[0] ?? null };
      if (!steps.length) return { changed: false, note: `key ${p.id} absent`, result };
      return {
        changed: true,
        steps,
        note: `removed key ${gone.join(', ')}`,
        result,
        diff: [{ before: gone.map((g) => `${g}\n`).join(''), after: '' }],
      };
    }
    let source: Buffer;
    if (p.data !== undefined) source = Buffer.from(p.data);
    else {
      const b = await probe.readFile(p.file!);
      if (!b) return { changed: false, failed: `key file not found on the host: ${p.file}` };
      source = b;
    }
    const incoming = certs(source);
    if (!incoming?.length) return { changed: false, failed: `${p.data !== undefined ? 'data' : p.file} holds no OpenPGP public key` };
    const mine: Cert[] = p.id ? incoming.filter((c) => idMatches(p.id!, c.fpr)) : incoming;
    if (!mine.length)
      return { changed: false, failed: `the key given does not have id ${p.id} (it holds ${incoming.map((c) => c.fpr).join(', ')})` };
    const fp = mine[0].fpr;
    const result = {
      id: p.id ?? fp.slice(-16),
      fp,
      key_id: fp.slice(-16),
      short_id: fp.slice(-8),
      before: [] as string[],
      after: [] as string[],
    };
    const all = held.flatMap((f) => f.certs.map((c) => c.fpr));
    result.before = all;
    const missing = mine.filter((c) => !all.includes(c.fpr));
    if (!missing.length) return { changed: false, note: `key ${fp.slice(-16)} present`, result };
    result.after = [...all, ...missing.map((c) => c.fpr)];
    const dest = p.keyring ?? `${TRUSTED_D}/${fp.slice(-16)}.${isArmored(source) ? 'asc' : 'gpg'}`;
    const old = held.find((f) => f.path === dest);
    const packets = Buffer.concat([...(old ? [dearmor(old.data)] : []), ...missing.map((c) => c.raw)]);
    return {
      changed: true,
      steps: [{ kind: 'upload', dest, content: encode(dest, packets), mode: '0644' }],
      note: `added key ${missing.map((c) => c.fpr.slice(-16)).join(', ')} to ${dest}`,
      diff: [{ path: dest, before: all.map((f) => `${f}\n`).join(''), after: result.after.map((f) => `${f}\n`).join('') }],
      result: { ...result, dest },
    };
  },
});
