// Ansible's regex_* filters over JavaScript RegExp, translating the Python `re` syntax playbooks are written in.
import { bind, type FilterTable, REQUIRED, str } from './filters-util.js';
import { JinjaError, type Kwargs, truthy } from './values.js';

/**
 * A Python regex as a JS one: (?P<n>…) and (?P=n) groups, \A and \Z anchors, leading (?imsx) flags, and `$` that
 * also matches before a final newline. \d \w \s stay ASCII (Python's are Unicode-aware).
 */
export function pyRegex(
  pattern: unknown,
  opts: { ignorecase?: unknown; multiline?: unknown; global?: boolean; sticky?: boolean } = {},
): RegExp {
  let src = String(pattern ?? '');
  let flags = (truthy(opts.ignorecase ?? false) ? 'i' : '') + (truthy(opts.multiline ?? false) ? 'm' : '');
  const lead = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (lead) {
    src = src.slice(lead[0].length);
    for (const f of lead[1]) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
    if (lead[1].includes('x')) src = src.replace(/\\#|\\\s|\[[^\]]*\]|#.*$|\s+/gm, (m) => (/^\s|^#/.test(m) ? '' : m));
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      i++;
      if (!inClass && n === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && n === 'Z') out += '(?![\\s\\S])';
      else out += c + n;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') out += src[++i];
      if (src[i + 1] === ']') out += `\\${src[++i]}`;
    } else if (src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else if (src.startsWith('(?P=', i)) {
      const end = src.indexOf(')', i);
      out += `\\k<${src.slice(i + 4, end)}>`;
      i = end;
    } else if (c === '$' && !flags.includes('m')) out += '(?=\\n?(?![\\s\\S]))';
    else out += c;
  }
  try {
    return new RegExp(out, flags + (opts.global ? 'g' : '') + (opts.sticky ? 'y' : ''));
  } catch (e) {
    throw new JinjaError(
      `bad regular expression ${JSON.stringify(src)}: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`,
    );
  }
}

/** Expands a Python re.sub template (\1, \g<1>, \g<name>, \n) for one match; unmatched groups give ''. */
export function expandTemplate(tpl: string, m: RegExpExecArray): string {
  return tpl.replace(/\\(g<([^>]*)>|\d{1,2}|.)/gs, (_all, esc: string, name: string | undefined) => {
    let g: string | undefined;
    if (name !== undefined) g = /^\d+$/.test(name) ? m[Number(name)] : m.groups?.[name];
    else if (/^\d/.test(esc)) g = m[Number(esc)];
    else {
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };
      if (esc in simple) return simple[esc];
      if (/[A-Za-z]/.test(esc)) throw new JinjaError(`bad escape \\${esc} in replacement`);
      return `\\${esc}`;
    }
    if (name !== undefined && !/^\d+$/.test(name) && !(m.groups && name in m.groups)) throw new JinjaError(`unknown group name '${name}'`);
    if (name === undefined || /^\d+$/.test(name)) {
      const idx = Number(name ?? esc);
      if (idx >= m.length) throw new JinjaError(`invalid group reference ${idx}`);
    }
    return g ?? '';
  });
}

/** All matches of a global regex, as Python's finditer walks them (an empty match advances one character). */
export function allMatches(re: RegExp, s: string, limit = 0): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    out.push(m);
    if (limit && out.length >= limit) break;
    if (m[0] === '') re.lastIndex++;
  }
  return out;
}

function regexSearch(value: unknown, args: unknown[], kw: Kwargs): unknown {
  const [pattern, ...groups] = args;
  const refs = groups.map((g) => {
    const s = String(g);
    const named = /^\\g<(\S+)>/.exec(s);
    if (named) return /^\d+$/.test(named[1]) ? Number(named[1]) : named[1];
    const numbered = /^\\(\d+)/.exec(s);
    if (numbered) return Number(numbered[1]);
    throw new JinjaError('Unknown argument');
  });
  const m = pyRegex(pattern, kw).exec(str(value));
  if (!m) return null;
  if (!refs.length) return m[0];
  return refs.map((r) => {
    if (typeof r === 'number') {
      if (r >= m.length) throw new JinjaError('no such group');
      return m[r] ?? null;
    }
    if (!m.groups || !(r in m.groups)) throw new JinjaError('no such group');
    return m.groups[r] ?? null;
  });
}

const PY_SPECIAL = new Set('()[]{}?*+-|^$\\.&~# \t\n\r\v\f');

/** The regex_* filters by name. */
export const REGEX_FILTERS: FilterTable = {
  regex_replace: (_e, v, args, kw) => {
    const p = bind('regex_replace', args, kw, {
      pattern: '',
      replacement: '',
      ignorecase: false,
      multiline: false,
      count: 0,
      mandatory_count: 0,
    });
    const s = str(v);
    const re = pyRegex(p.pattern, { ...p, global: true });
    const ms = allMatches(re, s, Number(p.count));
    const tpl = str(p.replacement);
    if (Number(p.mandatory_count) && Number(p.mandatory_count) !== ms.length) {
      throw new JinjaError(`'${str(p.pattern)}' should match ${p.mandatory_count} times, but matches ${ms.length} times in '${s}'`);
    }
    let out = '';
    let at = 0;
    for (const m of ms) {
      out += s.slice(at, m.index) + expandTemplate(tpl, m);
      at = m.index + m[0].length;
    }
    return out + s.slice(at);
  },
  regex_search: (_e, v, args, kw) => {
    const { ignorecase, multiline, ...rest } = kw;
    if (Object.keys(rest).length) throw new JinjaError(`regex_search() got an unexpected keyword argument '${Object.keys(rest)[0]}'`);
    if (!args.length) throw new JinjaError("regex_search() missing required argument: 'regex'");
    return regexSearch(v, args, { ignorecase, multiline });
  },
  regex_findall: (_e, v, args, kw) => {
    const p = bind('regex_findall', args, kw, { regex: REQUIRED, multiline: false, ignorecase: false });
    const re = pyRegex(p.regex, { ...p, global: true });
    return allMatches(re, str(v)).map((m) => {
      if (m.length === 1) return m[0];
      if (m.length === 2) return m[1] ?? '';
      return m.slice(1).map((g) => g ?? '');
    });
  },
  regex_escape: (_e, v, args, kw) => {
    const p = bind('regex_escape', args, kw, { re_type: 'python' });
    const s = str(v);
    if (p.re_type === 'posix_basic') return s.replace(/[\].[^$*\\]/g, (c) => `\\${c}`);
    if (p.re_type !== 'python') throw new JinjaError('Regex type (%s) not yet implemented'.replace('%s', str(p.re_type)));
    return [...s].map((c) => (PY_SPECIAL.has(c) ? `\\${c}` : c)).join('');
  },
};
