// Renders a controller-side template with the host's vars and lands it exactly like copy.
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { InputError } from '../errors.js';
import { type CopyTarget, planCopy, TARGET_ARGS, targetOf } from './copy.js';
import { preserved, selinuxGuard } from './fs.js';
import { defineModule } from './types.js';

/** copy's target plus the template path (resolved by ctx.renderFile). */
export interface TemplateArgs extends CopyTarget {
  src: string;
}

/** Ansible's template: Jinja, or Handlebars for a .hbs file. */
export const template = defineModule({
  name: 'template',
  doc: "Renders a controller-side template with the host's vars and lands it exactly like copy.",
  example: 'template: {src: ifcfg-br0.hbs, dest: /etc/sysconfig/network-scripts/ifcfg-br0}',
  args: {
    ...TARGET_ARGS,
    src: {
      type: 'path',
      required: true,
      description: 'template on the controller, relative to the playbook or its templates/ folder (.hbs: Handlebars)',
    },
  },
  build: (v): TemplateArgs => ({ ...targetOf(v), src: v.src }),
  async plan(p, probe, ctx) {
    const refused = await selinuxGuard(p, probe, ctx);
    if (refused) return refused;
    const content = Buffer.from(ctx.renderFile(p.src), 'utf8');
    return planCopy(preserved(p, ctx.localPath?.(p.src, 'templates')), content, posix.basename(p.src), probe, ctx);
  },
  // A missing template or one that fails to render for a host is found before any host is touched.
  preflight(p, ctx) {
    const path = ctx.resolveLocal(p.src, 'templates');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new InputError(`template not found: ${p.src} (looked for ${path})`, {
        at: ctx.at,
        hint: 'put it in templates/ beside the playbooks/ folder, or give a path relative to the playbook',
      });
    }
    ctx.renderFile(path, text);
    return undefined;
  },
});
