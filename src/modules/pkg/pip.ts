// Ansible's pip: Python packages in the host's python3 or in a virtualenv (created when missing), decided from
// `pip list --format=json`, so a rerun changes nothing.
import { posix } from 'node:path';
import { cmd, quote } from '../../remote/quote.js';
import { fail, unavailable } from '../args.js';
import { firstError, section, sections } from '../net/probe-text.js';
import { shlexSplit } from '../shlex.js';
import { defineModule, type Plan, type Step, type TaskContext } from '../types.js';

export interface PipArgs {
  names: string[];
  version?: string;
  requirements?: string;
  virtualenv?: string;
  virtualenvCommand: string;
  virtualenvPython?: string;
  virtualenvSitePackages: boolean;
  state: 'present' | 'absent' | 'latest' | 'forcereinstall';
  executable?: string;
  extraArgs: string[];
  chdir?: string;
  editable: boolean;
}

/** PEP 503: names compare lower-cased with runs of -, _ and . as one "-". */
export const normalise = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, '-');

/** "foo>=1.2" → {name, op, version}; a local wheel path → its name and version from the file name. */
export function parseRequirement(spec: string): { name: string; op?: string; version?: string; file?: boolean } {
  if (spec.endsWith('.whl') && spec.includes('/')) {
    const [name, version] = posix.basename(spec).split('-');
    return { name, op: '==', version, file: true };
  }
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(==|>=|<=|!=|~=|>|<)?\s*([^\s,;]*)$/.exec(spec.trim());
  if (!m) return { name: spec };
  return m[2] ? { name: m[1], op: m[2], version: m[3] } : { name: m[1] };
}

// Dotted release numbers compared part by part (numbers as numbers); enough for the specifiers playbooks write.
function cmpVersion(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = Number(x);
    const ny = Number(y);
    const c = Number.isNaN(nx) || Number.isNaN(ny) ? x.localeCompare(y) : nx - ny;
    if (c !== 0) return Math.sign(c);
  }
  return 0;
}

/** Does the installed version satisfy the specifier? */
export function versionOk(have: string, op?: string, want?: string): boolean {
  if (!op || !want) return true;
  const c = cmpVersion(have, want);
  switch (op) {
    case '==':
      return want.endsWith('.*') ? have.startsWith(want.slice(0, -1)) : c === 0;
    case '!=':
      return c !== 0;
    case '>=':
      return c >= 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '<':
      return c < 0;
    case '~=': {
      const prefix = want.split('.').slice(0, -1).join('.');
      return c >= 0 && (have === prefix || have.startsWith(`${prefix}.`));
    }
    default:
      return false;
  }
}

/** The pip command words: the executable, the virtualenv's pip, or python3 -m pip. */
export function pipWords(p: PipArgs): string[] {
  if (p.executable) return [p.executable];
  if (p.virtualenv) return [`${p.virtualenv.replace(/\/+$/, '')}/bin/pip`];
  return ['python3', '-m', 'pip'];
}

const inDir = (p: PipArgs, c: string) => (p.chdir ? `cd ${quote(p.chdir)} && ${c}` : c);

export function pipProbe(p: PipArgs): string {
  const pip = pipWords(p);
  const parts: string[] = [];
  if (p.virtualenv) parts.push(section('venv', `[ -x ${quote(`${p.virtualenv.replace(/\/+$/, '')}/bin/python`)} ] && echo yes || echo no`));
  parts.push(section('pip', `${cmd(pip[0], ...pip.slice(1), '--version')} 2>&1 | head -n 1`));
  parts.push(section('list', `${cmd(pip[0], ...pip.slice(1), 'list', '--format=json', '--disable-pip-version-check')} 2>/dev/null`));
  if (p.requirements || p.state === 'latest')
    parts.push(
      section(
        'dry',
        `${inDir(p, cmd(pip[0], ...pip.slice(1), 'install', '--dry-run', '--disable-pip-version-check', ...(p.state === 'latest' ? ['--upgrade'] : []), ...p.extraArgs, ...installTargets(p)))} 2>&1; echo "rc=$?"`,
      ),
    );
  return parts.join('; ');
}

const installTargets = (p: PipArgs, names = specs(p)) => [
  ...(p.requirements ? ['-r', p.requirements] : []),
  ...names.flatMap((s) => (p.editable ? ['-e', s] : [s])),
];
const specs = (p: PipArgs) => p.names.map((n) => (p.version ? `${n}==${p.version}` : n));

export async function planPip(
  p: PipArgs,
  probe: { run(c: string): Promise<{ code: number; stdout: string; stderr: string }> },
  ctx: TaskContext,
): Promise<Plan> {
  const s = sections((await probe.run(pipProbe(p))).stdout);
  const venvMissing = p.virtualenv !== undefined && s.venv?.trim() !== 'yes';
  const pip = pipWords(p);
  const result: Record<string, unknown> = {
    name: p.names,
    version: p.version ?? null,
    requirements: p.requirements ?? null,
    virtualenv: p.virtualenv ?? null,
    state: p.state,
  };
  if (!venvMissing && !/^pip /.test(s.pip?.trim() ?? ''))
    return {
      changed: false,
      failed: `pip is not available on the host (${pip.join(' ')}: ${firstError(s.pip ?? '', 'not found')})`,
      result: { ...result, hint: 'install python3-pip (or python3-venv and give virtualenv), or name executable' },
    };
  let installed = new Map<string, string>();
  if (!venvMissing) {
    try {
      const rows = JSON.parse(s.list?.trim() || '[]') as { name: string; version: string }[];
      installed = new Map(rows.map((r) => [normalise(r.name), r.version]));
    } catch {
      return { changed: false, failed: `could not read pip list --format=json: ${firstError(s.list ?? '', 'no output')}`, result };
    }
  }
  const steps: Step[] = [];
  if (venvMissing) {
    const venv = shlexSplit(p.virtualenvCommand);
    const words = [
      ...venv.slice(1),
      ...(p.virtualenvSitePackages ? ['--system-site-packages'] : []),
      ...(p.virtualenvPython && !venv.join(' ').includes('-m venv') ? ['-p', p.virtualenvPython] : []),
      p.virtualenv!,
    ];
    steps.push({ kind: 'exec', cmd: inDir(p, cmd(venv[0], ...words)) });
  }
  const pipCmd = (...args: string[]) => inDir(p, cmd(pip[0], ...pip.slice(1), ...args));
  const all = specs(p);
  const have = (spec: string) => {
    const r = parseRequirement(spec);
    const v = installed.get(normalise(r.name));
    return v !== undefined && versionOk(v, r.op, r.version);
  };
  let todo: string[] = [];
  let note = '';
  if (p.state === 'absent') {
    todo = p.names.filter((n) => installed.has(normalise(parseRequirement(n).name)));
    if (todo.length)
      steps.push({ kind: 'exec', cmd: pipCmd('uninstall', '-y', ...p.extraArgs, ...todo.map((n) => parseRequirement(n).name)) });
    note = todo.length ? `uninstalled ${todo.join(' ')}` : `${p.names.join(' ')} absent`;
  } else {
    const dry = s.dry ?? '';
    const wouldInstall = /^Would install /m.test(dry);
    const dryFailed = /rc=([1-9]\d*)\s*$/.test(dry.trim());
    if ((p.requirements || p.state === 'latest') && !venvMissing && dryFailed)
      return {
        changed: false,
        failed: `pip install --dry-run failed: ${firstError(
          dry
            .split('\n')
            .filter((l) => /^ERROR/.test(l))
            .join('\n') || dry,
          'no output',
        )}`,
        result,
      };
    todo = p.state === 'forcereinstall' ? all : venvMissing ? all : all.filter((n) => !have(n));
    const reqWork = p.requirements !== undefined && (venvMissing || wouldInstall);
    const latestWork = p.state === 'latest' && (venvMissing || wouldInstall);
    if (todo.length || reqWork || latestWork) {
      const extra = [...(p.state === 'latest' ? ['-U'] : []), ...(p.state === 'forcereinstall' ? ['--force-reinstall'] : [])];
      // Only the names that need it (all of them for latest, forcereinstall or a new virtualenv), in one pip call.
      steps.push({
        kind: 'exec',
        cmd: pipCmd('install', ...extra, ...p.extraArgs, ...installTargets(p, p.state === 'latest' ? all : todo)),
      });
      note = wouldInstall ? (/^Would install (.*)$/m.exec(dry)?.[1] ?? '').trim() : `installed ${todo.join(' ') || p.requirements}`;
      if (wouldInstall) note = `installed ${note}`;
    } else note = `${[...p.names, ...(p.requirements ? [`-r ${p.requirements}`] : [])].join(' ')} ${p.state}`;
  }
  if (!steps.length) return { changed: false, note, result };
  const last = steps[steps.length - 1];
  if (!ctx.check && last.kind === 'exec') last.capture = true;
  result.cmd = last.kind === 'exec' ? last.cmd : undefined;
  return { changed: true, steps, note: venvMissing ? `created ${p.virtualenv}; ${note}` : note, result };
}

const URLISH = /^([a-z][a-z0-9+.-]*:\/\/|git\+|hg\+|svn\+|bzr\+)/i;

export const pip = defineModule({
  name: 'pip',
  doc: 'Python packages with pip, in the host python3 or a virtualenv (created when missing); decided from pip list --format=json.',
  example: 'pip: {name: [requests, "flask>=2"], virtualenv: /opt/app/venv, virtualenv_command: python3 -m venv}',
  args: {
    name: { type: 'list', description: 'package names, with specifiers ("flask>=2"), or local .whl paths on the host; URLs are refused' },
    version: { description: 'exact version of the single name' },
    requirements: { description: 'a requirements file on the host (relative to chdir)' },
    virtualenv: { type: 'path', description: 'a virtualenv directory, created with virtualenv_command when missing' },
    virtualenv_command: { default: 'virtualenv', description: 'the command creating the virtualenv (e.g. "python3 -m venv")' },
    virtualenv_python: { description: 'python for virtualenv (-p); ignored with "-m venv"' },
    virtualenv_site_packages: { type: 'bool', default: false, description: '--system-site-packages' },
    state: {
      choices: ['present', 'absent', 'latest', 'forcereinstall'],
      default: 'present',
      description: 'latest upgrades; forcereinstall always reinstalls',
    },
    executable: { type: 'path', description: 'the pip to run (pip3, /usr/bin/pip3.11); not with virtualenv' },
    extra_args: { description: 'more pip arguments (split like a shell would)' },
    chdir: { type: 'path', description: 'directory the commands run in' },
    editable: { type: 'bool', default: false, description: 'install in editable mode (-e)' },
    umask: { description: 'not supported (refused): set the umask with shell' },
  },
  mutually_exclusive: [
    ['name', 'requirements'],
    ['executable', 'virtualenv'],
  ],
  required_one_of: [['name', 'requirements']],
  build(v, a): PipArgs {
    if (v.umask !== undefined)
      fail(a, 'umask is not supported', 'run pip through shell with umask set, or fix the mode with file afterwards');
    const names = ((v.name ?? []) as string[]).map((n) => n.trim()).filter(Boolean);
    for (const n of names) {
      if (n.includes('{{')) continue;
      if (URLISH.test(n)) unavailable(a, `"${n}" is a URL: downloading is not supported`, 'copy the wheel to the host and give its path');
      if (n.startsWith('-')) fail(a, `"${n}" looks like an option: give it in extra_args`);
    }
    if (v.version !== undefined && names.length !== 1) fail(a, 'version needs exactly one name');
    if (v.version !== undefined && names.some((n) => /[<>=!~]/.test(n))) fail(a, 'give the version either in name or in version, not both');
    if (v.state === 'absent' && v.requirements !== undefined) fail(a, 'state=absent with requirements is not supported: name the packages');
    return {
      names,
      version: v.version,
      requirements: v.requirements,
      virtualenv: v.virtualenv,
      virtualenvCommand: v.virtualenv_command,
      virtualenvPython: v.virtualenv_python,
      virtualenvSitePackages: v.virtualenv_site_packages,
      state: v.state as PipArgs['state'],
      executable: v.executable,
      extraArgs: v.extra_args ? shlexSplit(v.extra_args) : [],
      chdir: v.chdir,
      editable: v.editable,
    };
  },
  plan: planPip,
});
