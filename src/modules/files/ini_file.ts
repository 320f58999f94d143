// community.general's ini_file: one option of one section of an INI file set, or removed (also a whole section).
import { mode } from '../args.js';
import { defineModule } from '../types.js';
import { planTextEdit, type TextTarget } from './text-edit.js';

export interface IniArgs extends TextTarget {
  section?: string;
  option?: string;
  value?: string;
  state: 'present' | 'absent';
  no_extra_spaces: boolean;
  create: boolean;
  allow_no_value: boolean;
  exclusive: boolean;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
// ini_file's match_opt / match_active_opt: [#;]? blanks option blanks (= | end) blanks value.
const matchOpt = (o: string, l: string) => new RegExp(`^([#;]?)( |\\t)*(${esc(o)})( |\\t)*(=|$)( |\\t)*(.*)`).exec(l.replace(/\n$/, ''));
const matchActive = (o: string, l: string) => new RegExp(`^()( |\\t)*(${esc(o)})( |\\t)*(=|$)( |\\t)*(.*)`).exec(l.replace(/\n$/, ''));
const BLANK_OR_COMMENT = /^[ \t]*([#;].*)?$/;
const FAKE = 'ad01e11446efb704fcdbdb21f2c43757423d91c5';

/** do_ini() for one value: the new text and msg; text undefined when nothing changed. */
export function editIni(original: string | null, p: IniArgs): { text?: string; msg: string } {
  const lines: string[] = (original ?? '').match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let changed = false;
  let msg = 'OK';
  if (!lines.length) lines.push('\n');
  if (!lines[lines.length - 1].endsWith('\n')) {
    lines[lines.length - 1] += '\n';
    changed = true;
  }
  const section = p.section || FAKE;
  lines.unshift(`[${FAKE}]`);
  lines.push('[');
  const fmt = (o: string, v: string) => (p.no_extra_spaces ? `${o}=${v}\n` : `${o} = ${v}\n`);
  const values = p.value !== undefined ? [p.value] : [];
  const option = p.option;
  let within = false;
  let start = 0;
  let end = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith(`[${section}]`)) {
      within = true;
      start = i;
    } else if (lines[i].startsWith('[') && within) {
      end = i;
      break;
    }
  }
  const before = lines.slice(0, start);
  let sec = lines.slice(start, end);
  const after = lines.slice(end);
  const touched = sec.map(() => false);
  let noValuePresent = false;
  const update = (i: number, nl: string) => {
    if (sec[i] !== nl) {
      changed = true;
      msg = 'option changed';
    }
    sec[i] = nl;
    touched[i] = true;
  };
  if (p.state === 'present' && option) {
    for (let i = 0; i < sec.length; i++) {
      const m = matchOpt(option, sec[i]);
      if (!m) continue;
      const idx = values.indexOf(m[7]);
      if (values.length && idx !== -1) {
        const v = m[7];
        if (!v && p.allow_no_value) {
          update(i, `${option}\n`);
          noValuePresent = true;
        } else update(i, fmt(option, v));
        values.splice(idx, 1);
      } else if (!values.length && p.allow_no_value) {
        update(i, `${option}\n`);
        noValuePresent = true;
        break;
      }
    }
  }
  if (p.state === 'present' && p.exclusive && !p.allow_no_value && option) {
    if (values.length) {
      for (let i = 0; i < sec.length; i++) {
        if (!touched[i] && matchActive(option, sec[i])) {
          update(i, fmt(option, values.shift()!));
          if (!values.length) break;
        }
      }
    }
    for (let i = sec.length - 1; i > 0; i--) {
      if (!touched[i] && matchActive(option, sec[i])) {
        sec.splice(i, 1);
        touched.splice(i, 1);
        changed = true;
        msg = 'option changed';
      }
    }
  }
  if (p.state === 'present') {
    for (let i = sec.length; i > 0; i--) {
      if (BLANK_OR_COMMENT.test(sec[i - 1].replace(/\n$/, ''))) continue;
      if (option && values.length) {
        sec.splice(i, 0, ...values.map((v) => fmt(option, v)));
        msg = 'option added';
        changed = true;
      } else if (option && !values.length && p.allow_no_value && !noValuePresent) {
        sec.splice(i, 0, `${option}\n`);
        msg = 'option added';
        changed = true;
      }
      break;
    }
  }
  if (p.state === 'absent') {
    if (option) {
      const kept = sec.filter((l) => {
        const m = matchActive(option, l);
        return !(m && (p.exclusive || values.length === 0 || values.includes(m[7])));
      });
      if (kept.length !== sec.length && (p.exclusive || values.length)) {
        changed = true;
        msg = 'option changed';
        sec = kept;
      }
    } else if (sec.length) {
      sec = [];
      msg = 'section removed';
      changed = true;
    }
  }
  let out = [...before, ...sec, ...after];
  out = out.slice(1, -1);
  if (!within && p.state === 'present') {
    // A new file starts with its section, not with the blank line the empty-file placeholder leaves.
    if (original === null || original === '') out = [];
    out.push(`[${section}]\n`);
    msg = 'section and option added';
    if (option && values.length) out.push(...values.map((v) => fmt(option, v)));
    else if (option && p.allow_no_value) out.push(`${option}\n`);
    else msg = 'only section added';
    changed = true;
  }
  const text = out.join('');
  if (!changed || text === original) return { msg };
  return { text, msg };
}

export const ini_file = defineModule({
  name: 'ini_file',
  doc: 'Sets or removes one option of one section of an INI file (community.general.ini_file), or a whole section.',
  example: 'ini_file: {path: /etc/app.ini, section: db, option: host, value: 10.0.0.2}',
  args: {
    path: { type: 'path', required: true, aliases: ['dest'], description: 'the INI file on the host' },
    section: { description: 'section name; empty or null: options before the first section' },
    option: { aliases: ['key'], description: 'the option; without it, state=absent removes the whole section' },
    value: { description: 'the value (state=present)' },
    state: { choices: ['present', 'absent'], default: 'present', description: 'present: set; absent: remove the option (or the section)' },
    exclusive: {
      type: 'bool',
      default: true,
      description: 'present: other lines for option are removed; absent: every line for option goes',
    },
    no_extra_spaces: { type: 'bool', default: false, description: 'write option=value instead of option = value' },
    create: { type: 'bool', default: true, description: 'create the file when absent (false: fail)' },
    allow_no_value: { type: 'bool', default: false, description: 'allow an option without value (a bare option line)' },
    backup: { type: 'bool', default: false, description: 'keep a timestamped copy of the old file beside it' },
    mode: { type: 'raw', check: mode, description: 'octal mode such as "0644" (quote it in YAML)' },
    owner: { description: 'user that owns the file' },
    group: { description: 'group that owns the file' },
  },
  build(v): IniArgs {
    return { ...v, section: v.section ?? undefined, state: v.state as IniArgs['state'] };
  },
  plan(p, probe, ctx) {
    if (p.state === 'present' && p.option && p.value === undefined && !p.allow_no_value)
      return Promise.resolve({ changed: false, failed: "Parameter 'value(s)' must be defined if state=present and allow_no_value=False." });
    const absentOk = p.state === 'absent' ? `${p.path} does not exist` : undefined;
    return planTextEdit(p, { create: p.create, missing: `Destination ${p.path} does not exist!`, absentOk }, probe, ctx, (old) =>
      editIni(old, p),
    );
  },
});
