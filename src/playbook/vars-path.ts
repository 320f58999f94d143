// Where a vars_files name is found: as written (absolute, or from the playbook's folder), else in its vars/ folder,
// as Ansible searches; the first of those when neither exists (for the message).
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

export function varsFilePath(baseDir: string, name: string): string {
  if (isAbsolute(name)) return name;
  const direct = resolve(baseDir, name);
  if (existsSync(direct)) return direct;
  const inVars = resolve(baseDir, 'vars', name);
  return existsSync(inVars) ? inVars : direct;
}
