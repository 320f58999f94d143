// Reads variables from YAML/JSON files on the controller into the host's variables (include_vars precedence).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, sep } from 'node:path';
import { parse } from 'yaml';
import { TaskError } from '../../errors.js';
import { parseKv } from '../../shared/kv.js';
import { readVarsText } from '../../vault/password.js';
import { addSecret } from '../../vault/secrets.js';
import { vaultTag } from '../../vault/tag.js';
import { yaml11Bool } from '../../yaml11.js';
import { fail } from '../args.js';
import { defineModule } from '../types.js';

export interface IncludeVarsArgs {
  file?: string;
  dir?: string;
  depth: number;
  filesMatching?: string;
  ignoreFiles: string[];
  extensions: string[];
  ignoreUnknownExtensions: boolean;
  name?: string;
}

/** Where a relative file or dir is looked for: the role's vars/, the playbook's vars/, beside the task file, the playbook's folder. */
export function varsSearchPath(baseDir: string, taskFile: string | undefined, roleDir?: string): string[] {
  const here = taskFile ? dirname(taskFile) : undefined;
  const role = roleDir ?? (here && roleOfTaskFile(here));
  const dirs = [...(role ? [join(role, 'vars'), role] : []), join(baseDir, 'vars'), ...(here ? [here, join(here, 'vars')] : []), baseDir];
  return [...new Set(dirs)];
}

// A task file under <role>/tasks/ belongs to that role.
function roleOfTaskFile(dir: string): string | undefined {
  const i = dir.lastIndexOf(`${sep}tasks`);
  if (i < 0 || (dir.length !== i + 6 && dir[i + 6] !== sep)) return undefined;
  return dir.slice(0, i);
}

function find(name: string, dirs: string[], want: 'file' | 'dir'): string | undefined {
  const ok = (p: string) => existsSync(p) && (want === 'dir' ? statSync(p).isDirectory() : statSync(p).isFile());
  if (isAbsolute(name)) return ok(name) ? name : undefined;
  return dirs.map((d) => join(d, name)).find(ok);
}

/** One vars file: YAML or JSON (vault-encrypted files are decrypted and their values kept secret), a map of variables. */
export function readVarsFile(path: string): Record<string, unknown> {
  const opened = readVarsText(path, readFileSync(path, 'utf8'));
  let v: unknown;
  try {
    v = parse(opened.text, { customTags: (tags) => [...tags, yaml11Bool, vaultTag] }) ?? {};
  } catch (e) {
    throw new TaskError(`include_vars: ${path}: invalid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TaskError(`include_vars: ${path} must hold a map of variables`);
  if (opened.secret) addSecret(v);
  return v as Record<string, unknown>;
}

// Ansible's dir mode: walked in name order, depth 0 = no limit, files_matching searched in the name, ignore_files matched at the end.
function filesOfDir(root: string, p: IncludeVarsArgs): string[] {
  const out: string[] = [];
  const matcher = p.filesMatching ? new RegExp(p.filesMatching) : undefined;
  const walk = (dir: string, level: number) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (!p.depth || level < p.depth) walk(path, level + 1);
        continue;
      }
      if (p.ignoreFiles.some((ig) => new RegExp(`${ig}$`).test(e.name))) continue;
      if (matcher && !matcher.test(e.name)) continue;
      if (!p.extensions.includes(extname(e.name).slice(1))) {
        if (p.ignoreUnknownExtensions) continue;
        throw new TaskError(`include_vars: ${relative(root, path)} in ${root} does not have a valid extension: ${p.extensions.join(', ')}`);
      }
      out.push(path);
    }
  };
  walk(root, 1);
  return out;
}

/** Ansible's include_vars: file (or free form), dir with depth/files_matching/ignore_files/extensions, name. */
export const include_vars = defineModule({
  name: 'include_vars',
  doc: "Loads variables from YAML/JSON files on the controller (a file, or a folder) into the host's variables.",
  example: 'include_vars: "{{ ansible_os_family }}.yml"',
  local: true,
  freeForm: true,
  args: {
    _raw: { description: 'the file to read (same as file)' },
    file: { type: 'path', description: "the file, relative to the role's vars/, the playbook's vars/, or the task file" },
    dir: { type: 'path', description: 'a folder whose files are all read, in name order' },
    depth: { type: 'int', default: 0, description: 'dir: how deep to go into sub-folders (0: all)' },
    files_matching: { description: 'dir: only files whose name matches this regular expression' },
    ignore_files: { type: 'list', default: [], description: 'dir: file names (regular expressions, matched at the end) to skip' },
    extensions: { type: 'list', default: ['json', 'yaml', 'yml'], description: 'dir: file extensions to read' },
    ignore_unknown_extensions: { type: 'bool', default: false, description: 'dir: skip files of other extensions instead of failing' },
    name: { description: 'put all the variables under this one key' },
    hash_behaviour: { choices: ['replace'], description: 'only replace (the default) is supported' },
  },
  mutually_exclusive: [['_raw', 'file', 'dir']],
  build(v, a): IncludeVarsArgs {
    let file = v.file ?? v._raw;
    let name = v.name;
    // `include_vars: file=x.yml name=y` given as free text.
    if (v._raw !== undefined && /^\s*\w+=/.test(v._raw)) {
      const kv = parseKv(v._raw);
      for (const k of Object.keys(kv))
        if (k !== 'file' && k !== 'name' && k !== '_raw_params')
          fail(a, `unknown argument "${k}"`, 'free-form include_vars takes file= and name=');
      file = kv.file ?? kv._raw_params;
      name = kv.name ?? name;
    }
    if (file === undefined && v.dir === undefined) fail(a, 'give a file (or the file name alone) or dir', 'include_vars: vars/main.yml');
    if (name !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !name.includes('{{'))
      fail(a, `"${name}" is not a valid variable name`);
    if (v.files_matching !== undefined && !v.files_matching.includes('{{')) {
      try {
        new RegExp(v.files_matching);
      } catch (e) {
        fail(a, `files_matching is not a valid regular expression: ${(e as Error).message}`);
      }
    }
    return {
      ...(file !== undefined ? { file } : {}),
      ...(v.dir !== undefined ? { dir: v.dir } : {}),
      depth: v.depth,
      ...(v.files_matching !== undefined ? { filesMatching: v.files_matching } : {}),
      ignoreFiles: v.ignore_files.map(String),
      extensions: v.extensions.map(String),
      ignoreUnknownExtensions: v.ignore_unknown_extensions,
      ...(name !== undefined ? { name } : {}),
    };
  },
  async plan(p, _probe, ctx) {
    const dirs = varsSearchPath(ctx.baseDir, ctx.at.file);
    let files: string[];
    if (p.file !== undefined) {
      const path = find(p.file, dirs, 'file');
      if (!path) throw new TaskError(`include_vars: file not found: ${p.file}`, { at: ctx.at, hint: `looked in ${dirs.join(', ')}` });
      files = [path];
    } else {
      const dir = find(p.dir as string, dirs, 'dir');
      if (!dir) throw new TaskError(`include_vars: folder not found: ${p.dir}`, { at: ctx.at, hint: `looked in ${dirs.join(', ')}` });
      files = filesOfDir(dir, p);
    }
    const loaded: Record<string, unknown> = {};
    for (const f of files) Object.assign(loaded, readVarsFile(f));
    const facts = p.name !== undefined ? { [p.name]: loaded } : loaded;
    return { changed: false, note: files.join(', ') || '(no files)', result: { ansible_facts: facts, ansible_included_var_files: files } };
  },
});
