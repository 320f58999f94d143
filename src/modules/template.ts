// Renders a controller-side template with the host's vars and lands it exactly like copy.
import { posix } from 'node:path';
import { str } from './args.js';
import { type CopyTarget, planCopy, targetOf } from './copy.js';
import { defineModule } from './types.js';

/** copy's target plus the template path (resolved by ctx.renderFile). */
export interface TemplateArgs extends CopyTarget {
  src: string;
}

/** Ansible's template with Handlebars instead of Jinja. */
export const template = defineModule<TemplateArgs>({
  name: 'template',
  parse(raw, at) {
    const { a, t } = targetOf(raw, at, 'template', ['src']);
    return { ...t, src: str(a, 'src') };
  },
  plan(p, probe, ctx) {
    const content = Buffer.from(ctx.renderFile(p.src), 'utf8');
    return planCopy(p, content, posix.basename(p.src), probe, ctx);
  },
});
