// Ansible's apt_repository: one-line APT sources in /etc/apt/sources.list.d/<name>.list, named as Ansible names them.
import { fail, mode as modeArg } from '../args.js';
import { firstError } from '../net/probe-text.js';
import { defineModule, type Plan, type Step } from '../types.js';
import { updateCommand } from './apt.js';
import { mergePlans, parseFiles, planText, readFilesScript, removeStep } from './repo-files.js';

const SOURCES = '/etc/apt/sources.list';
const SOURCES_D = '/etc/apt/sources.list.d';
const TYPES = ['deb', 'deb-src'];

/** One line of a sources file as Ansible's SourcesList reads it. */
export interface SourceLine {
  valid: boolean;
  enabled: boolean;
  /** the source without comment marks, blanks collapsed */
  source: string;
  comment: string;
}

/** Ansible's _parse: a leading "#" disables, a later "#" starts a comment, a valid source starts with deb or deb-src. */
export function parseSourceLine(raw: string): SourceLine {
  let line = raw.trim();
  let enabled = true;
  if (line.startsWith('#')) {
    enabled = false;
    line = line.replace(/^#+/, '').trim();
  }
  let comment = '';
  const i = line.indexOf('#');
  if (i > 0) {
    comment = line.slice(i + 1).trim();
    line = line.slice(0, i).trim();
  }
  const source = line.split(/\s+/).join(' ');
  const words = source.split(' ');
  const valid = words.length > 1 && TYPES.includes(words[0]);
  return { valid, enabled, source, comment };
}

/** How Ansible writes a source line back. */
const dumpLine = (l: SourceLine) => `${l.enabled ? '' : '# '}${l.source}${l.comment ? ` # ${l.comment}` : ''}\n`;

/** Ansible's _suggest_filename: options, schemes and credentials dropped, the URI's letters and digits joined with "_". */
export function suggestFilename(repo: string, filename?: string): string {
  if (filename !== undefined) return `${filename}.list`;
  const line = repo.replace(/\[[^\]]+\]/g, '').replace(/\w+:\/\//g, '');
  const parts = line.split(/\s+/).filter((p) => p !== '' && !TYPES.includes(p));
  let first = parts[0] ?? '';
  if (first.includes('@')) first = first.slice(first.indexOf('@') + 1);
  return `${first
    .replace(/[^a-zA-Z0-9]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .join('_')}.list`;
}

export interface AptRepositoryArgs {
  repo: string;
  state: 'present' | 'absent';
  filename?: string;
  mode?: string;
  updateCache: boolean;
  updateRetries: number;
}

/** The text of a file with the repository enabled (or removed), or undefined when the file already agrees. */
function edited(text: string, want: string, present: boolean): string | undefined {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let touched = false;
  const out: string[] = [];
  for (const raw of lines) {
    const l = parseSourceLine(raw);
    if (l.valid && l.source === want) {
      if (!present) {
        touched = true;
        continue;
      }
      if (!l.enabled) {
        touched = true;
        out.push(dumpLine({ ...l, enabled: true }));
        continue;
      }
    }
    out.push(`${raw}\n`);
  }
  return touched ? out.join('') : undefined;
}

export const aptRepository = defineModule({
  name: 'apt_repository',
  doc: 'A one-line APT source present or absent, in /etc/apt/sources.list.d/<filename>.list (named as Ansible names it); then apt-get update.',
  example:
    'apt_repository: {repo: "deb [signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bookworm stable", filename: docker}',
  args: {
    repo: {
      required: true,
      description: 'the sources line ("deb [options] URI suite components"); ppa: lines are refused (they need Launchpad)',
    },
    state: { choices: ['present', 'absent'], default: 'present', description: 'absent removes the line from every sources file' },
    filename: { description: 'file name without .list (default: derived from the URI, as Ansible does)' },
    mode: { type: 'raw', check: modeArg, description: 'mode of a new sources file (default 0644)' },
    update_cache: { type: 'bool', default: true, aliases: ['update-cache'], description: 'apt-get update after a change' },
    update_cache_retries: { type: 'int', default: 5, description: 'further apt-get update attempts when it fails' },
    update_cache_retry_max_delay: { type: 'int', default: 12, description: 'accepted for Ansible compatibility' },
    codename: { description: 'accepted: only ppa: lines use it, and those are refused' },
    validate_certs: { type: 'bool', default: true, description: 'accepted: nothing is downloaded' },
    install_python_apt: { type: 'bool', default: true, description: 'accepted: not needed (no Python on the host is used)' },
  },
  build(v, a): AptRepositoryArgs {
    const repo = v.repo.trim();
    if (!repo.includes('{{')) {
      if (repo.startsWith('ppa:'))
        fail(
          a,
          `"${repo}": ppa: repositories need Launchpad (network), which is not supported`,
          'write the deb line of the PPA with its signed-by key instead',
        );
      if (!parseSourceLine(repo).valid || !parseSourceLine(repo).enabled)
        fail(a, `"${repo}" is not a sources line`, 'write it as "deb URI suite [components]" (or deb-src)');
    }
    if (v.filename !== undefined && /[/\s]/.test(v.filename)) fail(a, `filename "${v.filename}" must be a plain name (no "/" or blanks)`);
    return {
      repo,
      state: v.state as 'present' | 'absent',
      filename: v.filename,
      mode: v.mode,
      updateCache: v.update_cache,
      updateRetries: v.update_cache_retries,
    };
  },
  async plan(p, probe, ctx): Promise<Plan> {
    const want = parseSourceLine(p.repo).source;
    const r = await probe.run(readFilesScript([SOURCES, `${SOURCES_D}/*.list`]));
    if (r.code !== 0) return { changed: false, failed: `could not read the APT sources: ${firstError(r.stderr, `exit ${r.code}`)}` };
    const files = parseFiles(r.stdout);
    const dest = `${SOURCES_D}/${suggestFilename(p.repo, p.filename)}`;
    const result = { repo: p.repo, state: p.state, sources_added: [] as string[], sources_removed: [] as string[] };
    const plans: Plan[] = [];
    const enabledSomewhere = [...files.values()].some((t) =>
      t.split('\n').some((raw) => {
        const l = parseSourceLine(raw);
        return l.valid && l.enabled && l.source === want;
      }),
    );
    if (p.state === 'present' && enabledSomewhere) return { changed: false, note: `${want} present`, result };
    for (const [path, text] of files) {
      const next = edited(text, want, p.state === 'present');
      if (next === undefined) continue;
      if (p.state === 'absent' && next.trim() === '' && path !== SOURCES) {
        plans.push({ changed: true, steps: [removeStep(path)], diff: [{ path, before: text, after: '' }] });
        result.sources_removed.push(path);
      } else plans.push(await planText(probe, ctx, path, next, text));
      if (p.state === 'present') break;
    }
    if (p.state === 'present' && !plans.length) {
      const old = files.get(dest) ?? null;
      const text = `${old === null || old === '' ? '' : old.endsWith('\n') ? old : `${old}\n`}${want}\n`;
      plans.push(await planText(probe, ctx, dest, text, old, { mode: old === null ? (p.mode ?? '0644') : p.mode }));
      result.sources_added.push(dest);
    }
    if (!plans.length) return { changed: false, note: `${want} absent`, result };
    const merged = mergePlans(plans, `${want} ${p.state === 'present' ? 'added' : 'removed'}`, result);
    if (merged.changed && p.updateCache) {
      const update: Step = { kind: 'exec', cmd: updateCommand(p.updateRetries) };
      merged.steps = [...(merged.steps ?? []), update];
    }
    return merged;
  },
});
