// Ansible's rpm_key: a GPG key imported into (or erased from) the RPM database, decided from `rpm -q gpg-pubkey`.
import { cmd, quote } from '../../remote/quote.js';
import { fail, unavailable } from '../args.js';
import { section, sections } from '../net/probe-text.js';
import { defineModule, type Plan } from '../types.js';
import { certs } from './pgp.js';

export const rpmKey = defineModule({
  name: 'rpm_key',
  doc: 'A GPG key in the RPM database (rpm --import / rpm -e gpg-pubkey-<id>), decided from rpm -q gpg-pubkey.',
  example: 'rpm_key: {key: /etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-9, state: present}',
  args: {
    key: { required: true, description: 'a key file on the host, or (absent) a key id; URLs are refused' },
    state: { choices: ['present', 'absent'], default: 'present', description: 'absent erases the key' },
    fingerprint: { description: 'the full fingerprint the key must have' },
    validate_certs: { type: 'bool', default: true, description: 'accepted: nothing is downloaded' },
  },
  build(v, a) {
    const key = v.key.trim();
    if (!key.includes('{{') && /^[a-z][a-z0-9+.-]*:\/\//i.test(key) && !key.startsWith('file://'))
      unavailable(a, `key "${key}" is a URL: downloading is not supported`, 'copy the key to the host and give its path');
    const path = key.startsWith('file://') ? key.slice(7) : key;
    const isId = /^(0x)?[0-9a-fA-F]{8,}$/.test(key);
    if (v.state === 'present' && isId) fail(a, `key "${key}" is a key id: importing needs the key file`);
    return { key: path, isId, state: v.state as 'present' | 'absent', fingerprint: v.fingerprint?.replace(/\s+/g, '').toUpperCase() };
  },
  async plan(p, probe): Promise<Plan> {
    let id: string;
    if (p.isId) id = p.key.replace(/^0x/i, '').slice(-8).toLowerCase();
    else {
      const b = await probe.readFile(p.key);
      if (!b)
        return p.state === 'absent'
          ? { changed: false, note: `${p.key} not on the host` }
          : { changed: false, failed: `key file not found on the host: ${p.key}` };
      const found = certs(b);
      if (!found?.length) return { changed: false, failed: `${p.key} holds no OpenPGP public key` };
      if (p.fingerprint && found[0].fpr !== p.fingerprint)
        return {
          changed: false,
          failed: `The specified fingerprint, '${p.fingerprint}', does not match the key fingerprint '${found[0].fpr}'`,
        };
      id = found[0].fpr.slice(-8).toLowerCase();
    }
    const s = sections((await probe.run(section('keys', `rpm -q gpg-pubkey --qf '%{VERSION}\\n' 2>/dev/null; true`))).stdout);
    const have = (s.keys ?? '')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean);
    const present = have.includes(id);
    if (p.state === 'present' && present) return { changed: false, note: `key ${id} present` };
    if (p.state === 'absent' && !present) return { changed: false, note: `key ${id} absent` };
    const c = p.state === 'present' ? cmd('rpm', '--import', p.key) : `rpm -e --allmatches ${quote(`gpg-pubkey-${id}`)}`;
    return {
      changed: true,
      steps: [{ kind: 'exec', cmd: c }],
      note: `${p.state === 'present' ? 'imported' : 'erased'} key ${id}`,
      diff: [{ before: present ? `gpg-pubkey-${id}\n` : '', after: present ? '' : `gpg-pubkey-${id}\n` }],
    };
  },
});
