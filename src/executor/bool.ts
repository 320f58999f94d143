// A keyword written as true/false or as a template of one (become, run_once, ignore_errors): the template rendered
// with a host's vars and read as Ansible reads a boolean ("yes", "True", "1", … a non-empty list is true).
import type { Location } from '../errors.js';
import { truthy } from '../jinja/values.js';
import { toBool } from '../modules/args.js';
import { renderValue } from '../template/render.js';

export function templatedBool(v: boolean | string, vars: Record<string, unknown>, at: Location, host?: string): boolean {
  if (typeof v === 'boolean') return v;
  const r = renderValue(v, vars, { at, host });
  return typeof r === 'string' ? (toBool(r) ?? false) : truthy(r);
}
