// Brings a path to a state (file, directory, link, touched, absent) with the wanted mode and ownership.
import { quote } from '../remote/quote.js';
import { fail, isTemplated, mode } from './args.js';
import { type Attrs, attrFix, type FileStat, parentOf, statPaths } from './fs.js';
import { defineModule, type Plan, type Step } from './types.js';

const STATES = ['file', 'directory', 'absent', 'touch', 'link'] as const;

/** Normalised file args (path aliases dest/name folded in). */
export interface FileArgs extends Attrs {
  path: string;
  state: (typeof STATES)[number];
  src?: string;
  force: boolean;
}

const exec = (cmds: string[]): Step[] => (cmds.length ? [{ kind: 'exec', cmd: cmds.join(' && ') }] : []);

function done(steps: Step[], note: string[], path: string, unchanged: string): Plan {
  const result = { path };
  if (!steps.length) return { changed: false, note: unchanged, result };
  return { changed: true, steps, note: note.join(', '), result };
}

function attrsOnly(p: FileArgs, have: FileStat, unchanged: string): Plan {
  const fix = attrFix(p.path, p, have);
  return done(exec(fix.cmds), fix.changes, p.path, unchanged);
}

function planLink(p: FileArgs, have: FileStat, parent: FileStat): Plan {
  const src = p.src!;
  const path = quote(p.path);
  const ln = `ln -s -- ${quote(src)} ${path}`;
  const own = (h: FileStat) => attrFix(p.path, { owner: p.owner, group: p.group }, h, true);
  if (have.type === 'link' && have.target === src) return done([], [], p.path, `already links to ${src}`);
  if (have.type === 'absent') {
    if (parent.type !== 'dir') return { changed: false, failed: `directory ${parentOf(p.path)} does not exist` };
    return done(exec([ln, ...own({ type: 'link' }).cmds]), [`linked to ${src}`], p.path, '');
  }
  if (have.type === 'link')
    return done(exec([`ln -sfn -- ${quote(src)} ${path}`, ...own(have).cmds]), [`relinked ${have.target} → ${src}`], p.path, '');
  if (!p.force) return { changed: false, failed: `refusing to replace the ${have.type} at ${p.path} with a symlink (set force: true)` };
  const clear = have.type === 'dir' ? `rmdir -- ${path}` : `rm -f -- ${path}`;
  return done(exec([clear, ln, ...own({ type: 'link' }).cmds]), [`replaced ${have.type} with link to ${src}`], p.path, '');
}

/** Ansible's file without recurse; touch is only a change when it creates or fixes attributes. */
export const file = defineModule({
  name: 'file',
  doc: 'Brings a path to a state (file, directory, link, touched, absent) with the wanted mode and ownership.',
  example: 'file: {path: /etc/docker, state: directory, mode: "0755"}',
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'name'], description: 'the path on the host' },
    state: {
      choices: STATES,
      default: 'file',
      description: 'file: must exist; directory: created with parents; link: a symlink to src; touch: created if absent; absent: removed',
    },
    src: { type: 'path', description: 'the link target (state=link only)' },
    mode: { type: 'raw', check: mode, description: 'octal mode such as "0755" (quote it in YAML)' },
    owner: { description: 'user that owns the path' },
    group: { description: 'group that owns the path' },
    force: { type: 'bool', default: false, description: 'state=link: replace a file or empty directory at path' },
  },
  required_if: [['state', 'link', ['src'], true]],
  build(v, a): FileArgs {
    const p: FileArgs = { path: v.path, state: v.state as FileArgs['state'], src: v.src, force: v.force, mode: v.mode, owner: v.owner, group: v.group };
    if (p.state === 'link' && p.mode !== undefined) fail(a, 'mode is not supported with state=link', 'set the mode on the target');
    if (p.src !== undefined && p.state !== 'link' && !isTemplated(p.state)) fail(a, 'src is only used with state=link');
    return p;
  },
  async plan(p, probe) {
    const follow = p.state !== 'link' && p.state !== 'absent';
    const [have, parent] = await statPaths(probe, [p.path, parentOf(p.path)], { follow });
    const q = quote(p.path);
    switch (p.state) {
      case 'absent':
        if (have.type === 'absent') return done([], [], p.path, 'already absent');
        return done(exec([`rm -rf -- ${q}`]), [`removed ${have.type}`], p.path, '');
      case 'directory': {
        if (have.type === 'absent') {
          const fix = attrFix(p.path, p, { type: 'dir' });
          return done(exec([`mkdir -p -- ${q}`, ...fix.cmds]), ['created directory'], p.path, '');
        }
        if (have.type !== 'dir') return { changed: false, failed: `${p.path} exists and is a ${have.type}, not a directory` };
        return attrsOnly(p, have, 'directory present');
      }
      case 'file':
        if (have.type === 'absent')
          return { changed: false, failed: `file ${p.path} is absent, cannot continue (state=file does not create files; use touch)` };
        if (have.type === 'dir') return { changed: false, failed: `${p.path} is a directory, cannot continue` };
        return attrsOnly(p, have, 'file present');
      case 'touch': {
        // Honest touch: an existing path with the right attributes is reported unchanged and its times are left alone.
        if (have.type !== 'absent') return attrsOnly(p, have, 'exists');
        if (parent.type !== 'dir') return { changed: false, failed: `directory ${parentOf(p.path)} does not exist` };
        const fix = attrFix(p.path, p, { type: 'file' });
        return done(exec([`touch -- ${q}`, ...fix.cmds]), ['created'], p.path, '');
      }
      case 'link':
        return planLink(p, have, parent);
      default:
        return { changed: false, failed: `unknown state ${JSON.stringify(p.state)}` };
    }
  },
});
