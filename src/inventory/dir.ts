import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

const IGNORED_EXTS = new Set(['.orig', '.cfg', '.retry', '.pyc', '.pyo', '.swp', '.bak', '.rpm', '.md', '.txt', '.rst']);
const VAR_DIRS = new Set(['group_vars', 'host_vars']);

// What a directory source contributes: its inventory files and the folders whose var dirs apply.
export interface DirContents {
  files: string[];
  /** The directory and its subdirectories: each may carry its own group_vars/host_vars. */
  dirs: string[];
}

// Like Ansible, every file in an inventory directory is a source (sorted), except var folders and junk.
export function inventoryDir(dir: string): DirContents {
  const out: DirContents = { files: [], dirs: [dir] };
  const entries = readdirSync(dir)
    .filter((e) => !e.startsWith('.') && !e.endsWith('~') && !IGNORED_EXTS.has(extname(e).toLowerCase()))
    .sort();
  for (const e of entries) {
    const p = join(dir, e);
    if (!statSync(p).isDirectory()) {
      out.files.push(p);
    } else if (!VAR_DIRS.has(e)) {
      const sub = inventoryDir(p);
      out.files.push(...sub.files);
      out.dirs.push(...sub.dirs);
    }
  }
  return out;
}
