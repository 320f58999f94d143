import { InventoryError, type Location } from '../errors.js';

// One written host entry can stand for many hosts (ranges) and carry a port.
export interface HostSpec {
  names: string[];
  port?: number;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function rangeError(pattern: string, why: string, at?: Location): InventoryError {
  return new InventoryError(`invalid host range in "${pattern}": ${why}`, {
    at,
    hint: 'write ranges as [start:end] or [start:end:step], e.g. node[01:20] or db-[a:c]; numbers with leading zeros need equal widths',
  });
}

function expandOne(pattern: string, at?: Location): string[] {
  const open = pattern.indexOf('[');
  if (open < 0) {
    if (pattern.includes(']')) throw rangeError(pattern, 'unmatched "]"', at);
    return [pattern];
  }
  const close = pattern.indexOf(']', open);
  if (close < 0) throw rangeError(pattern, 'unmatched "["', at);
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = pattern.slice(open + 1, close).split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw rangeError(pattern, 'expected start:end or start:end:step', at);
  const [beg0, end, stepText] = bounds;
  const beg = beg0 === '' ? '0' : beg0;
  if (end === '') throw rangeError(pattern, 'the range has no end', at);
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) throw rangeError(pattern, `step "${stepText}" is not a positive integer`, at);
  let seq: string[];
  if (/^[A-Za-z]$/.test(beg) && /^[A-Za-z]$/.test(end)) {
    const i = LETTERS.indexOf(beg);
    const j = LETTERS.indexOf(end);
    if (i > j) throw rangeError(pattern, `"${beg}" comes after "${end}"`, at);
    seq = [];
    for (let k = i; k <= j; k += step) seq.push(LETTERS[k]);
  } else if (/^\d+$/.test(beg) && /^\d+$/.test(end)) {
    const width = beg.length > 1 && beg.startsWith('0') ? beg.length : 0;
    if (width && width !== end.length) throw rangeError(pattern, `"${beg}" and "${end}" have different widths`, at);
    const i = Number(beg);
    const j = Number(end);
    if (i > j) throw rangeError(pattern, `${beg} is greater than ${end}`, at);
    seq = [];
    for (let k = i; k <= j; k += step) seq.push(String(k).padStart(width, '0'));
  } else {
    throw rangeError(pattern, `"${beg}:${end}" is neither a number range nor a single-letter range`, at);
  }
  return seq.flatMap((s) => expandOne(head + s + tail, at));
}

// Ansible host patterns: `node[01:20]`, `10.0.0.[1:3]`, `db-[a:c]`, optional `:port`, bracketed IPv6.
export function parseHostPattern(text: string, at?: Location): HostSpec {
  const { name, port, address } = hostAndPort(text);
  if (address) return { names: [name], port };
  if (name === '') throw rangeError(text, 'empty host name', at);
  return { names: expandOne(name, at), port };
}

/**
 * A host entry's name and `:port`, as Ansible's parse_address splits them: a bracketed IPv6 address (`[::1]:22`), a
 * bare IPv6 address (more than one colon, no range: an `address`, taken whole), or a name with an optional port.
 */
export function hostAndPort(text: string): { name: string; port?: number; address?: true } {
  const v6 = /^\[([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)\](?::(\d+))?$/.exec(text);
  if (v6) return { name: v6[1], ...(v6[2] === undefined ? {} : { port: Number(v6[2]) }), address: true };
  if ((text.match(/:/g) ?? []).length > 1 && !text.includes('[')) return { name: text, address: true };
  const withPort = /^(.*[^:]):(\d+)$/.exec(text);
  if (withPort && !/\[[^\]]*$/.test(withPort[1])) return { name: withPort[1], port: Number(withPort[2]) };
  return { name: text };
}
