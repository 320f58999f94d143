// Clones a repository on the host or brings its checkout to a branch, tag or commit; changed when HEAD moves.
import { quote } from '../../remote/quote.js';
import { fail, isTemplated } from '../args.js';
import { defineModule, type Step } from '../types.js';

export interface GitArgs {
  repo: string;
  dest: string;
  version: string;
  remote: string;
  clone: boolean;
  update: boolean;
  force: boolean;
  depth?: number;
  bare: boolean;
  singleBranch: boolean;
  recursive: boolean;
  /** `GIT_SSH_COMMAND=… GIT_TERMINAL_PROMPT=0 ` before every git command. */
  env: string;
}

const SHA = /^[0-9a-f]{4,40}$/i;

/** The host's view in one command: git present, dest's state, its HEAD, remote URL, local changes, the remote's refs. */
export function probeScript(p: GitArgs): string {
  const d = quote(p.dest);
  const g = `${p.env}git -C ${d}`;
  const isRepo = p.bare ? `[ -f ${d}/HEAD ] && [ -d ${d}/objects ]` : `[ -e ${d}/.git ]`;
  const refs = p.version === 'HEAD' ? ['HEAD'] : [p.version, `${p.version}^{}`];
  return [
    `command -v git >/dev/null 2>&1 || { echo nogit; exit 0; }`,
    `if ${isRepo}; then echo repo; elif [ ! -e ${d} ]; then echo absent; elif [ -d ${d} ] && [ -z "$(ls -A ${d})" ]; then echo empty; else echo occupied; fi`,
    `printf 'head %s\\n' "$(${g} rev-parse --verify -q HEAD 2>/dev/null)"`,
    `printf 'url %s\\n' "$(${g} config --get ${quote(`remote.${p.remote}.url`)} 2>/dev/null)"`,
    p.bare ? `echo 'dirty 0'` : `printf 'dirty %s\\n' "$(${g} status --porcelain --untracked-files=no 2>/dev/null | head -c1 | wc -c)"`,
    'echo refs',
    `${p.env}git ls-remote --symref ${quote(p.repo)} ${refs.map(quote).join(' ')} || echo "ls-remote-failed $?"`,
  ].join('\n');
}

export interface GitState {
  kind: 'nogit' | 'repo' | 'absent' | 'empty' | 'occupied';
  head?: string;
  url?: string;
  dirty: boolean;
  /** ref name → sha, from ls-remote; `symref` is where the remote's HEAD points. */
  refs: Record<string, string>;
  symref?: string;
  lsRemoteFailed: boolean;
}

export function parseProbe(out: string): GitState {
  const lines = out.split('\n');
  const kind = (lines[0]?.trim() || 'nogit') as GitState['kind'];
  const field = (name: string) =>
    lines
      .find((l) => l.startsWith(`${name} `))
      ?.slice(name.length + 1)
      .trim() || undefined;
  const refs: Record<string, string> = {};
  let symref: string | undefined;
  let failed = false;
  for (const l of lines.slice(lines.indexOf('refs') + 1)) {
    if (l.startsWith('ls-remote-failed')) failed = true;
    const sym = /^ref: (\S+)\s+HEAD$/.exec(l);
    if (sym) symref = sym[1];
    const m = /^([0-9a-f]{40})\s+(\S+)$/.exec(l);
    if (m) refs[m[2]] = m[1];
  }
  return { kind, head: field('head'), url: field('url'), dirty: field('dirty') === '1', refs, symref, lsRemoteFailed: failed };
}

/** What version names on the remote: a branch, a tag (peeled), the remote HEAD, or a commit given by its sha. */
export function resolveVersion(
  version: string,
  s: GitState,
): { sha?: string; kind: 'head' | 'branch' | 'tag' | 'sha'; branch?: string } | undefined {
  if (version === 'HEAD') {
    const branch = s.symref?.replace(/^refs\/heads\//, '');
    return s.refs.HEAD ? { sha: s.refs.HEAD, kind: 'head', branch } : undefined;
  }
  if (s.refs[`refs/heads/${version}`]) return { sha: s.refs[`refs/heads/${version}`], kind: 'branch', branch: version };
  const tag = s.refs[`refs/tags/${version}^{}`] ?? s.refs[`refs/tags/${version}`];
  if (tag) return { sha: tag, kind: 'tag' };
  if (SHA.test(version)) return { sha: version.length === 40 ? version.toLowerCase() : undefined, kind: 'sha' };
  return undefined;
}

function cloneSteps(p: GitArgs, v: NonNullable<ReturnType<typeof resolveVersion>>): Step[] {
  const args = ['clone'];
  if (p.bare) args.push('--bare');
  if (p.remote !== 'origin') args.push('--origin', p.remote);
  if (p.depth !== undefined && v.kind !== 'sha') args.push('--depth', String(p.depth));
  if (v.kind === 'branch' || v.kind === 'tag') args.push('--branch', p.version);
  if (p.singleBranch) args.push('--single-branch');
  if (p.recursive && !p.bare) args.push('--recursive');
  const cmds = [`${p.env}git ${args.map(quote).join(' ')} -- ${quote(p.repo)} ${quote(p.dest)}`];
  if (v.kind === 'sha' && !p.bare) cmds.push(`${p.env}git -C ${quote(p.dest)} checkout --force ${quote(p.version)}`);
  return [{ kind: 'exec', cmd: cmds.join(' && ') }];
}

function updateSteps(p: GitArgs, v: NonNullable<ReturnType<typeof resolveVersion>>, s: GitState): Step[] {
  const g = `${p.env}git -C ${quote(p.dest)}`;
  const cmds: string[] = [];
  if (s.url !== p.repo) cmds.push(`${g} remote set-url ${quote(p.remote)} ${quote(p.repo)}`);
  const depth = p.depth !== undefined && v.kind !== 'sha' ? ` --depth ${p.depth}` : '';
  if (p.bare) {
    cmds.push(`${g} fetch${depth} ${quote(p.remote)} '+refs/heads/*:refs/heads/*' '+refs/tags/*:refs/tags/*'`);
    return [{ kind: 'exec', cmd: cmds.join(' && ') }];
  }
  cmds.push(`${g} fetch${depth} --tags ${quote(p.remote)} ${quote(`+refs/heads/*:refs/remotes/${p.remote}/*`)}`);
  const force = p.force ? ' --force' : '';
  if (v.branch) cmds.push(`${g} checkout${force} -B ${quote(v.branch)} ${quote(`${p.remote}/${v.branch}`)}`);
  else cmds.push(`${g} checkout${force} ${quote(v.kind === 'tag' ? `refs/tags/${p.version}` : p.version)}`);
  if (p.force) cmds.push(`${g} reset --hard -q`);
  if (p.recursive) cmds.push(`{ [ ! -f ${quote(`${p.dest}/.gitmodules`)} ] || ${g} submodule update --init --recursive; }`);
  return [{ kind: 'exec', cmd: cmds.join(' && ') }];
}

/** Ansible's git: clone when absent, else fetch and move to version; local changes refuse unless force. */
export const git = defineModule({
  name: 'git',
  doc: 'Clones a repository on the host or brings its checkout to a branch, tag or commit; changed when HEAD moves.',
  example: 'git: {repo: "https://github.com/org/app.git", dest: /srv/app, version: v1.2.0}',
  args: {
    repo: { required: true, aliases: ['name'], description: 'repository URL or path, as git on the host reads it' },
    dest: { type: 'path', required: true, description: 'directory of the checkout on the host' },
    version: { default: 'HEAD', description: 'branch, tag or commit sha (HEAD: the remote default branch)' },
    remote: { default: 'origin', description: 'name of the remote' },
    clone: { type: 'bool', default: true, description: 'false: do not clone when dest is missing' },
    update: { type: 'bool', default: true, description: 'false: leave an existing checkout where it is' },
    force: { type: 'bool', default: false, description: 'discard local modifications of tracked files' },
    depth: { type: 'int', description: 'shallow clone/fetch of this many commits (branches and tags only)' },
    bare: { type: 'bool', default: false, description: 'a bare repository (no working tree)' },
    single_branch: { type: 'bool', default: false, description: 'clone only the history of version' },
    recursive: { type: 'bool', default: true, description: 'clone and update submodules too' },
    accept_hostkey: { type: 'bool', default: false, description: 'ssh: accept any host key (StrictHostKeyChecking=no)' },
    accept_newhostkey: { type: 'bool', default: false, description: 'ssh: accept a new host key, refuse a changed one (accept-new)' },
    key_file: { type: 'path', description: 'ssh private key on the host' },
    ssh_opts: { description: 'more ssh options, e.g. "-o ConnectTimeout=5"' },
    executable: { type: 'path', description: 'not supported: git is the one on the host PATH (refused when given)' },
  },
  mutually_exclusive: [['accept_hostkey', 'accept_newhostkey']],
  build(v, a): GitArgs {
    if (v.executable !== undefined) fail(a, 'executable is not supported', 'put the git you want first on PATH with environment:');
    if (v.depth !== undefined && v.depth < 1) fail(a, 'depth must be a positive integer');
    if (!isTemplated(v.version) && /\s/.test(v.version)) fail(a, `version ${JSON.stringify(v.version)} is not a ref name`);
    const ssh = ['ssh'];
    if (v.accept_hostkey) ssh.push('-o', 'StrictHostKeyChecking=no');
    if (v.accept_newhostkey) ssh.push('-o', 'StrictHostKeyChecking=accept-new');
    if (v.key_file !== undefined) ssh.push('-i', v.key_file, '-o', 'IdentitiesOnly=yes');
    const sshCmd = ssh.length > 1 || v.ssh_opts ? `${ssh.map(quote).join(' ')}${v.ssh_opts ? ` ${v.ssh_opts}` : ''}` : '';
    const env = `GIT_TERMINAL_PROMPT=0 ${sshCmd ? `GIT_SSH_COMMAND=${quote(sshCmd)} ` : ''}`;
    return {
      // Ansible's git turns an absolute path into a file:// URL (so that depth works): the remote URL it records
      repo: v.repo.startsWith('/') ? `file://${v.repo}` : v.repo,
      dest: v.dest,
      version: v.version,
      remote: v.remote,
      clone: v.clone,
      update: v.update,
      force: v.force,
      depth: v.depth,
      bare: v.bare,
      singleBranch: v.single_branch,
      recursive: v.recursive,
      env,
    };
  },
  atTurn: true,
  async plan(p, probe) {
    const r = await probe.run(probeScript(p));
    const s = parseProbe(r.stdout);
    if (s.kind === 'nogit') return { changed: false, failed: 'git is not installed on the host (install the git package)' };
    if (s.lsRemoteFailed) return { changed: false, failed: `cannot read ${p.repo}: ${r.stderr.trim() || 'git ls-remote failed'}` };
    const v = resolveVersion(p.version, s);
    const before = s.kind === 'repo' ? (s.head ?? null) : null;
    if (!v) return { changed: false, failed: `Failed to find version ${p.version} in ${p.repo}`, result: { before } };
    const after = v.sha ?? p.version;
    if (s.kind !== 'repo') {
      if (!p.clone) return { changed: false, note: 'not cloned (clone: false)', result: { before: null, after: v.sha ?? null } };
      if (s.kind === 'occupied')
        return { changed: false, failed: `Destination path '${p.dest}' already exists and is not an empty directory.`, result: { before } };
      return { changed: true, steps: cloneSteps(p, v), note: `cloned at ${after.slice(0, 12)}`, result: { before: null, after } };
    }
    if (!p.update) return { changed: false, note: 'left as is (update: false)', result: { before, after: before } };
    if (s.dirty && !p.force)
      return { changed: false, failed: `Local modifications exist in the destination: ${p.dest} (force=no).`, result: { before } };
    const here = before !== null && (before === v.sha || (v.kind === 'sha' && before.startsWith(p.version.toLowerCase())));
    const urlChanged = s.url !== undefined && s.url !== p.repo;
    if (here && !s.dirty && !urlChanged)
      return { changed: false, note: `at ${before?.slice(0, 12)}`, result: { before, after: before, remote_url_changed: false } };
    const note = here
      ? s.dirty
        ? 'local modifications discarded'
        : 'remote URL updated'
      : `${before?.slice(0, 12)} → ${after.slice(0, 12)}`;
    return {
      changed: !here || s.dirty || urlChanged,
      steps: updateSteps(p, v, s),
      note,
      result: { before, after: here ? before : after, remote_url_changed: urlChanged },
    };
  },
});
