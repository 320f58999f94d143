// Controller-side files resolve like Ansible's search path: a role's own templates/ or files/ first (for its
// tasks), then next to the playbook, then templates/ or files/ beside or above it.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export function searchPaths(path: string, baseDir: string, kind: 'templates' | 'files', roleDir?: string): string[] {
  if (isAbsolute(path)) return [path];
  return [
    ...(roleDir ? [join(roleDir, kind, path), join(roleDir, path)] : []),
    join(baseDir, path),
    join(baseDir, kind, path),
    join(dirname(baseDir), kind, path),
    resolve(kind, path),
    resolve(path),
  ];
}

/** The first existing candidate, or the first candidate (so the error names where we looked first). */
export function resolveLocal(path: string, baseDir: string, kind: 'templates' | 'files', roleDir?: string): string {
  const c = searchPaths(path, baseDir, kind, roleDir);
  return c.find((p) => existsSync(p)) ?? c[0];
}
