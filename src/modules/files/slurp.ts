// Ansible's slurp: a host file's content, base64-encoded in the result (b64decode reads it back).
import { defineModule, type Plan } from '../types.js';

export const slurp = defineModule({
  name: 'slurp',
  doc: 'Reads a file from the host into the result, base64-encoded (decode with b64decode); never a change.',
  example: 'slurp: {src: /etc/hostname}',
  args: {
    src: { type: 'path', required: true, aliases: ['path'], description: 'the file on the host' },
  },
  build: (v) => ({ src: v.src }),
  async plan(p, probe): Promise<Plan> {
    const content = await probe.readFile(p.src);
    if (content === null) return { changed: false, failed: `file not found: ${p.src}` };
    return {
      changed: false,
      note: `${content.length} bytes`,
      result: { content: content.toString('base64'), source: p.src, encoding: 'base64' },
    };
  },
});
