// Roles, read at load time: `roles:` on a play, and `import_role:` / `include_role:` entries in a task list.
// A role is a folder: tasks/main.yml, handlers/main.yml, defaults/main.yml (lowest-precedence vars), vars/main.yml,
// templates/ and files/ (searched first by its tasks), meta/main.yml `dependencies:` (run before it, once).
// Variable precedence follows Ansible: defaults < inventory < play vars < role vars < block/task vars < role params.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, extname, isAbsolute, join, resolve as resolvePath, sep } from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Location } from '../errors.js';
import { ansibleSettings } from '../shared/ansible-config.js';
import { hasTemplate, renderValue } from '../template/render.js';
import { inherit, inheritedOf, innerScope, taskFileEntries } from './block.js';
import { INHERITED_KEYS, ROLE_FROM_ARGS, REFUSED_ROLE_KEYWORDS as ROLE_ONLY_KEYWORDS, shortName } from './keywords.js';
import { type Field, fieldsOf, isEmpty, posOf, resolve, type Source, toValue } from './positions.js';
import { bool, checkTemplates, expected, fail, str, sudoMethod } from './schema.js';
import { readYamlSource } from './source.js';
import type { ParsedTask, TaskScope } from './task.js';

/** Keywords a role entry hands down to the role's tasks; any other key of the entry is a role parameter. */
const ROLE_KEYWORDS = new Set<string>(INHERITED_KEYS.filter((k) => k !== 'name'));

export interface RoleTasks {
  tasks: ParsedTask[];
  handlers: ParsedTask[];
}

/** Which file of each role folder to read instead of main.yml: import_role/include_role's tasks_from, vars_from… */
export type RoleFrom = Partial<Record<'tasks' | 'vars' | 'defaults' | 'handlers', string>>;

/** tasks_from → tasks: which folder of the role an argument of ROLE_FROM_ARGS names the file of. */
export const roleFromKey = (arg: string): keyof RoleFrom => arg.slice(0, -'_from'.length) as keyof RoleFrom;

/** How a role entry reads its role: other files than main.yml, and whether it may run again with the same input. */
export interface RoleLoadOptions {
  from?: RoleFrom;
  /** allow_duplicates: given on the entry, it wins over the role's meta/main.yml. */
  allowDuplicates?: boolean;
}

/** Ansible's roles_path when no ansible.cfg or ANSIBLE_ROLES_PATH sets one. */
const ANSIBLE_ROLES_PATH = ['~/.ansible/roles', '/usr/share/ansible/roles', '/etc/ansible/roles'];

/**
 * Where roles are looked for, in order: roles/ beside the playbook, roles/ beside its folder, RUNBOOK_ROLES_PATH,
 * Ansible's roles_path (ansible.cfg or ANSIBLE_ROLES_PATH, else its default), then the playbook's own folder — as
 * Ansible does for a plain name and for a name with a slash (kubespray's `kubernetes/preinstall`) alike.
 */
export function roleSearchPath(baseDir: string): string[] {
  const extra = (process.env.RUNBOOK_ROLES_PATH ?? '').split(delimiter).filter(Boolean);
  const home = process.env.HOME || homedir();
  const ansible = ansibleSettings().rolesPath ?? ANSIBLE_ROLES_PATH.map((p) => p.replace(/^~/, home));
  return [join(baseDir, 'roles'), join(dirname(baseDir), 'roles'), ...extra.map((p) => resolvePath(p)), ...ansible, baseDir];
}

/** `roles:` of a play: each entry a name, or a map with role: (or name:) plus keywords and parameters. */
export function parseRolesField(src: Source, f: Field, baseDir: string, scope: TaskScope): RoleTasks {
  if (f.node === null) return { tasks: [], handlers: [] };
  if (!isSeq(f.node)) expected(f, 'a list of roles', 'roles: [common, { role: mesh, vars: { mtu: 1400 } }]');
  const out: RoleTasks = { tasks: [], handlers: [] };
  const seen = scope.rolesSeen ?? new Set<string>();
  for (const item of f.node.items) {
    const one = parseRoleEntry(src, resolve(src, item), baseDir, scope, seen, []);
    out.tasks.push(...one.tasks);
    out.handlers.push(...one.handlers);
  }
  return out;
}

/** `import_role: { name: x }` / `include_role:` inside a task list (read at load time, like import_tasks). */
export function parseRoleTaskEntry(src: Source, node: Node, baseDir: string, scope: TaskScope): RoleTasks {
  const fields = fieldsOf(src, node);
  const found = fields.find((f) => shortName(f.key) === 'import_role' || shortName(f.key) === 'include_role') as Field;
  const roleF: Field = { ...found, key: shortName(found.key) };
  if (scope.handler) fail(roleF.keyAt, `handlers cannot use ${roleF.key}`, 'put the role under roles: of the play, or in tasks:');
  if (!isMap(roleF.node)) expected(roleF, 'a map with the role name', `${roleF.key}: { name: mesh }`);
  const inner = fieldsOf(src, roleF.node);
  const opts: RoleLoadOptions = {};
  // import_role shows the role's vars and defaults to the whole play (as roles: does); include_role only with public
  let isPublic = roleF.key === 'import_role';
  for (const f of inner) {
    if (f.key === 'name') continue;
    if ((ROLE_FROM_ARGS as readonly string[]).includes(f.key)) {
      const file = str(f, `${f.key}: install.yml`);
      if (hasTemplate(file))
        fail(
          f.at,
          `${roleF.key} reads the role when the playbook loads, so ${f.key} cannot be a template`,
          'use include_role: to choose it per host at run time',
        );
      (opts.from ??= {})[roleFromKey(f.key)] = file;
    } else if (f.key === 'allow_duplicates') opts.allowDuplicates = bool(f);
    else if (f.key === 'public') isPublic = bool(f);
    else
      fail(
        f.keyAt,
        `"${f.key}" is not supported in ${roleF.key}`,
        `${roleF.key} takes name:, ${ROLE_FROM_ARGS.join(', ')}, allow_duplicates: and public: false; put vars:, when:, tags: beside ${roleF.key}, on the entry`,
      );
  }
  const nameF = inner.find((f) => f.key === 'name');
  if (!nameF) fail(roleF.at, `${roleF.key} needs the role's name`, `${roleF.key}: { name: mesh }`);
  // As in Ansible, include_role runs its role again each time (allow_duplicates defaults to true for it); an
  // import_role of a role already imported with the same parameters does not, unless the role's meta allows it.
  if (roleF.key === 'include_role') opts.allowDuplicates ??= true;
  // The entry itself carries the keywords (when:, tags:, vars:, become: …), as a roles: entry does.
  const entry = { role: nameF, keywords: fields.filter((f) => f !== found), at: posOf(src, node) };
  const own = isPublic ? scope : { ...scope, playRoles: undefined };
  return loadRole(src, entry, baseDir, own, scope.rolesSeen ?? new Set(), [], undefined, opts);
}

interface RoleEntry {
  role: Field;
  keywords: Field[];
  at: Location;
}

function parseRoleEntry(src: Source, node: Node | null, baseDir: string, scope: TaskScope, seen: Set<string>, stack: string[]): RoleTasks {
  const at = posOf(src, node);
  if (isScalar(node)) {
    const role: Field = { key: 'role', keyAt: at, node, at };
    return loadRole(src, { role, keywords: [], at }, baseDir, scope, seen, stack);
  }
  if (!isMap(node))
    return fail(at, 'a role entry is a role name or a map with role:', 'roles: [common, { role: mesh, when: mesh_enabled }]');
  const fields = fieldsOf(src, node);
  const role = fields.find((f) => f.key === 'role') ?? fields.find((f) => f.key === 'name');
  if (!role) return fail(at, 'this role entry names no role', 'add role: <name>, e.g. { role: mesh, vars: { mtu: 1400 } }');
  return loadRole(src, { role, keywords: fields.filter((f) => f !== role), at }, baseDir, scope, seen, stack);
}

/**
 * A role name written as a template: Ansible renders it when it reads the play, with what is known then. runbook
 * knows playbook_dir there, which is what a role's own test playbook uses (`role: "{{ playbook_dir }}"`).
 */
function loadTimeRoleName(name: string, at: Location, baseDir: string): string {
  let v: unknown;
  try {
    v = renderValue(name, { playbook_dir: baseDir }, { at });
  } catch {
    v = undefined;
  }
  const s = typeof v === 'string' ? v.trim() : '';
  if (s !== '' && !hasTemplate(s)) return s;
  return fail(
    at,
    'a role name cannot be a template of run-time variables: roles are read when the playbook loads',
    'use include_role: to choose the role per host at run time (playbook_dir is the one variable known when roles are read)',
  );
}

function roleDirOf(f: Field, name: string, baseDir: string): string {
  const candidates = isAbsolute(name) ? [name] : [...new Set(roleSearchPath(baseDir).map((d) => join(d, name)))];
  const dir = candidates.find((d) => existsSync(d) && statSync(d).isDirectory());
  if (!dir) fail(f.at, `role "${name}" not found`, `looked in ${candidates.join(', ')}; a role is a folder with tasks/main.yml`);
  return dir;
}

// The first of main.yml / main.yaml in a role's sub-folder, if any.
function mainFile(dir: string, sub: string): string | undefined {
  return ['main.yml', 'main.yaml'].map((f) => join(dir, sub, f)).find((p) => existsSync(p));
}

/**
 * The file a role entry reads from sub-folder `sub`: main.yml, or what tasks_from: (vars_from…) names, found as
 * Ansible finds it: the name as given, or with .yml, .yaml or .json added. A named file that is missing is an error.
 */
function roleFile(
  dir: string,
  sub: 'tasks' | 'vars' | 'defaults' | 'handlers',
  named: string | undefined,
  role: string,
  at: Location,
): string | undefined {
  if (named === undefined) return mainFile(dir, sub);
  const base = resolvePath(dir, sub, named);
  if (!base.startsWith(join(dir, sub) + sep))
    fail(at, `${sub}_from: ${named} leaves the role's ${sub}/ folder`, `name a file inside ${join(dir, sub)}`);
  const candidates = [base, `${base}.yml`, `${base}.yaml`, `${base}.json`];
  const found = candidates.find((p) => existsSync(p) && statSync(p).isFile());
  if (!found) fail(at, `role "${role}" has no ${sub}/${named}`, `looked for ${candidates.join(', ')}`);
  return found;
}

/**
 * A role's vars or defaults: its main.yml, or — as Ansible reads `defaults/main/` and `vars/main/` when they are
 * folders (kubespray's kubespray_defaults) — every .yml/.yaml/.json file under that folder, sorted, merged in order.
 */
function roleVars(dir: string, sub: 'vars' | 'defaults', named: string | undefined, role: string, at: Location): Record<string, unknown> {
  const folder = join(dir, sub, named ?? 'main');
  if (existsSync(folder) && statSync(folder).isDirectory()) {
    return varsFilesUnder(folder).reduce<Record<string, unknown>>((acc, f) => ({ ...acc, ...varsFile(f) }), {});
  }
  return varsFile(roleFile(dir, sub, named, role, at));
}

/**
 * The vars files under a folder, depth first in sorted order (Ansible's _get_dir_vars_files): hidden and `~` backup
 * names left out, files with no extension or .yml/.yaml/.json, folders with no extension.
 */
function varsFilesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && !e.name.endsWith('~'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const p = join(folder, e.name);
      const ext = extname(e.name);
      if (e.isDirectory()) return ext ? [] : varsFilesUnder(p);
      return !ext || ['.yml', '.yaml', '.json'].includes(ext) ? [p] : [];
    });
}

function varsFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  const src = readYamlSource(path, 'role vars file');
  const root = resolve(src, src.doc.contents);
  if (isEmpty(root)) return {};
  if (!isMap(root)) fail(posOf(src, root), 'a role vars file must be a map of variables', 'write name: value lines, e.g. mtu: 1400');
  return toValue(src, root) as Record<string, unknown>;
}

/** A role named at run time (a dynamic include_role): read now, each time it is included. */
export function includedRole(
  src: Source,
  name: string,
  at: Location,
  baseDir: string,
  scope: TaskScope,
  opts: RoleLoadOptions = {},
): RoleTasks {
  const role: Field = { key: 'name', keyAt: at, at, node: null };
  return loadRole(src, { role, keywords: [], at }, baseDir, scope, new Set(), [], name, opts);
}

function loadRole(
  src: Source,
  e: RoleEntry,
  baseDir: string,
  scope: TaskScope,
  seen: Set<string>,
  stack: string[],
  rendered?: string,
  opts: RoleLoadOptions = {},
): RoleTasks {
  const from = opts.from ?? {};
  const written = rendered ?? str(e.role, 'role: mesh');
  const path = hasTemplate(written) ? loadTimeRoleName(written, e.role.at, baseDir) : written;
  const dir = roleDirOf(e.role, path, baseDir);
  // a role named by its path (`role: "{{ playbook_dir }}"`) is called by its folder's name, as Ansible calls it
  const name = isAbsolute(path) ? basename(dir) : path;
  if (stack.includes(dir))
    fail(
      e.role.at,
      `roles depend on each other in a cycle: ${[...stack, dir].map((d) => d.split('/').at(-1)).join(' → ')}`,
      'remove one of the dependencies',
    );

  // Keywords of the entry are handed down; everything else is a role parameter (a variable of the role).
  const kw = new Map<string, Field>();
  const params: Record<string, unknown> = {};
  for (const f of e.keywords) {
    if (ROLE_KEYWORDS.has(f.key)) kw.set(f.key, f);
    else if (f.key === 'become_method' && sudoMethod(f)) continue;
    else if (ROLE_ONLY_KEYWORDS[f.key] || f.key === 'loop' || f.key.startsWith('with_') || f.key === 'register' || f.key === 'notify') {
      // An Ansible keyword taken for a role parameter would be silently ignored: refuse it instead.
      fail(
        f.keyAt,
        `"${f.key}" is not supported on a role entry`,
        ROLE_ONLY_KEYWORDS[f.key] ?? `put ${f.key}: on the tasks inside the role`,
      );
    } else {
      checkTemplates(src, f.node);
      params[f.key] = toValue(src, f.node);
    }
  }
  const out: RoleTasks = { tasks: [], handlers: [] };
  // Like Ansible, a role runs once per play unless it is given other parameters or keywords.
  const once = `${dir}\0${JSON.stringify(from)}\0${JSON.stringify(params)}\0${JSON.stringify(e.keywords.filter((f) => ROLE_KEYWORDS.has(f.key)).map((f) => [f.key, toValue(src, f.node)]))}`;
  // meta/main.yml: allow_duplicates: true runs the role each time it is listed (its dependencies, too).
  const meta = mainFile(dir, 'meta');
  const msrc = meta ? readYamlSource(meta, 'role meta file') : undefined;
  const mroot = msrc ? resolve(msrc, msrc.doc.contents) : undefined;
  const metaFields = msrc && isMap(mroot) ? fieldsOf(msrc, mroot) : [];
  const dup = metaFields.find((f) => f.key === 'allow_duplicates');
  const allowDuplicates = opts.allowDuplicates ?? (!!dup && isScalar(dup.node) && dup.node.value === true);
  if (seen.has(once) && !allowDuplicates) return out;
  seen.add(once);
  const own = inheritedOf(src, kw);
  const roleScope = innerScope(src, kw, scope);
  const defaults = roleVars(dir, 'defaults', from.defaults, name, e.at);
  const ownVars = roleVars(dir, 'vars', from.vars, name, e.at);
  scope.playRoles?.push({ defaults, vars: ownVars });

  // meta/main.yml dependencies run first.
  if (msrc) {
    const deps = metaFields.find((f) => f.key === 'dependencies');
    if (deps?.node && isSeq(deps.node)) {
      for (const item of deps.node.items) {
        const dep = parseRoleEntry(msrc, resolve(msrc, item), dirname(dir), scope, seen, [...stack, dir]);
        for (const t of [...dep.tasks, ...dep.handlers]) inherit(t.task, own);
        out.tasks.push(...dep.tasks);
        out.handlers.push(...dep.handlers);
      }
    }
  }
  const adopt = (parsed: ParsedTask): ParsedTask => {
    const t = parsed.task;
    inherit(t, own);
    t.vars = { ...ownVars, ...t.vars, ...params };
    t.roleDir = dir;
    if (Object.keys(defaults).length) t.roleDefaults = defaults;
    if (t.name !== undefined) t.name = `${name} : ${t.name}`;
    return parsed;
  };
  const tasksFile = roleFile(dir, 'tasks', from.tasks, name, e.at);
  if (tasksFile) out.tasks.push(...taskFile(tasksFile, { ...roleScope, handler: false }).map(adopt));
  const handlersFile = roleFile(dir, 'handlers', from.handlers, name, e.at);
  if (handlersFile) {
    // Handlers keep their own names (notify: names them without the role prefix, as in Ansible).
    for (const p of taskFile(handlersFile, { ...roleScope, handler: true })) {
      const name0 = p.task.name;
      adopt(p);
      if (name0 !== undefined) {
        p.task.listen = [...new Set([...p.task.listen, name0])];
      }
      out.handlers.push(p);
    }
  }
  return out;
}

function taskFile(file: string, scope: TaskScope): ParsedTask[] {
  return taskFileEntries(readYamlSource(file, 'task file'), scope, [], [file]);
}
