// Reports and graphs are written whole or not at all: a reader never opens a half-written file.
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

// Checked before a run starts, so a typo in the path is bad input (exit 4), not a lost report at the end.
export function checkOutputPath(file: string, flag: string): string {
  const path = resolve(file);
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`${flag} ${file}: directory ${dir} does not exist`, { hint: 'create the directory first or pick another path' });
  if (existsSync(path) && statSync(path).isDirectory())
    throw new UsageError(`${flag} ${file}: is a directory`, { hint: `give a file name, e.g. ${join(file, 'report.html')}` });
  return path;
}

// Temp name in the same directory, then rename (atomic on one filesystem).
export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
