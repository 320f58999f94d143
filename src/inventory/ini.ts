import { didYouMean, InventoryError, type Location } from '../errors.js';
import type { InventoryBuilder } from './builder.js';
import { parseHostPattern } from './hostpattern.js';
import { parseIniValue } from './ini-value.js';

interface Token {
  /** As written, quotes included: `x="a b"`. */
  raw: string;
  /** Shell-style unquoted: `x=a b`. */
  text: string;
  col: number;
}

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:[#;].*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:[#;].*)?$/;

const fail = (at: Location, message: string, hint: string): InventoryError => new InventoryError(message, { at, hint });

/**
 * shlex-like split, as Ansible splits a host line (shlex with comments): an unquoted `#` starts a comment, also inside
 * a word (`pass=ab#c` is `ab`, as ansible-inventory says); a quoted one is kept (`pass='ab#c'`).
 */
function tokenize(line: string, at: Location): Token[] {
  const base = at.col ?? 1;
  const tokens: Token[] = [];
  let i = 0;
  let comment = false;
  while (i < line.length && !comment) {
    if (/\s/.test(line[i])) {
      i++;
      continue;
    }
    if (line[i] === '#') break;
    const start = i;
    let text = '';
    while (i < line.length && !/\s/.test(line[i])) {
      const c = line[i];
      if (c === '"' || c === "'") {
        const end = line.indexOf(c, i + 1);
        if (end < 0) throw fail({ ...at, col: base + i }, `unterminated ${c} quote`, `close the quote, or escape it with a backslash`);
        text += c === '"' ? line.slice(i + 1, end).replace(/\\(["\\])/g, '$1') : line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '#') {
        comment = true;
        break;
      } else if (c === '\\' && i + 1 < line.length) {
        text += line[i + 1];
        i += 2;
      } else {
        text += c;
        i++;
      }
    }
    if (i > start) tokens.push({ raw: line.slice(start, i), text, col: base + start });
  }
  return tokens;
}

// Ansible INI inventory: [group], [group:vars], [group:children], host lines with inline key=value vars.
export function parseIni(text: string, file: string, b: InventoryBuilder): void {
  const known = new Set(b.inv.groups.keys());
  const pending = new Map<string, { at: Location; message: string; hint: string }>();
  let group = 'ungrouped';
  let kind: 'hosts' | 'vars' | 'children' = 'hosts';

  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const at: Location = { file, line: index + 1, col: rawLine.indexOf(line[0]) + 1 };
    const section = SECTION.exec(line);
    if (section) {
      group = section[1];
      const modifier = section[2];
      if (modifier !== undefined && modifier !== 'vars' && modifier !== 'children') {
        const guess = didYouMean(modifier, ['vars', 'children']);
        throw fail(
          at,
          `unknown section type ":${modifier}" in [${group}:${modifier}]`,
          `use [${group}], [${group}:vars] or [${group}:children]${guess ? `; ${guess}` : ''}`,
        );
      }
      kind = modifier ?? 'hosts';
      if (kind === 'vars') {
        if (!known.has(group) && !pending.has(group)) {
          pending.set(group, {
            at,
            message: `[${group}:vars] is for group "${group}", which is never defined`,
            hint: `define the group with a [${group}] section (an empty one is fine), or fix the name`,
          });
        }
      } else {
        known.add(group);
        b.group(group, at);
      }
      return;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      throw fail(
        at,
        `invalid section header ${line}`,
        'section names have no spaces or extra colons: [group], [group:vars] or [group:children]',
      );
    }
    if (kind === 'vars') {
      const eq = line.indexOf('=');
      const key = eq < 0 ? '' : line.slice(0, eq).trim();
      if (key === '') {
        throw fail(
          at,
          `expected key=value in [${group}:vars], got "${line}"`,
          'write one variable per line as key=value, e.g. ntp_server=10.0.0.1',
        );
      }
      b.setGroupVar(group, key, parseIniValue(line.slice(eq + 1)), at);
    } else if (kind === 'children') {
      const child = GROUP_NAME.exec(line)?.[1];
      if (!child)
        throw fail(at, `expected a group name in [${group}:children], got "${line}"`, 'list one child group name per line, without spaces');
      b.addChild(group, child, at);
      if (!known.has(child) && !pending.has(child)) {
        pending.set(child, {
          at,
          message: `[${group}:children] includes undefined group "${child}"`,
          hint: `define it with a [${child}] section (an empty one is fine), or fix the name`,
        });
      }
    } else {
      hostLine(line, at, group, b);
    }
  });

  for (const [name, p] of pending) {
    if (known.has(name)) continue;
    const guess = didYouMean(
      name,
      [...known].filter((g) => g !== 'all' && g !== 'ungrouped'),
    );
    throw fail(p.at, p.message, guess ? `${p.hint}; ${guess}` : p.hint);
  }
}

function hostLine(line: string, at: Location, group: string, b: InventoryBuilder): void {
  const [first, ...rest] = tokenize(line, at);
  const spec = parseHostPattern(first.text, at);
  const vars = rest.map((t) => {
    const eq = t.text.indexOf('=');
    if (eq <= 0) {
      throw fail(
        { ...at, col: t.col },
        `expected key=value after host "${first.text}", got "${t.text}"`,
        'host variables are written key=value; quote values with spaces: motd="hello world"',
      );
    }
    const rawEq = t.raw.indexOf('=');
    return { key: t.text.slice(0, eq), value: parseIniValue(t.raw.slice(rawEq + 1), t.text.slice(eq + 1)), at: { ...at, col: t.col } };
  });
  for (const name of spec.names) {
    b.addHost(group, name, at);
    if (spec.port !== undefined) b.setHostVar(name, 'ansible_port', spec.port, at);
    for (const v of vars) b.setHostVar(name, v.key, v.value, v.at);
  }
}
