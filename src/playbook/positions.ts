// Every YAML node keeps where it came from, so an error can point at file:line:col.
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import { type Location, PlaybookError } from '../errors.js';

/** What a position lookup needs: the file name for messages, the document for aliases, the line table. */
export interface Source {
  file: string;
  doc: Document;
  lc: LineCounter;
}

/** One `key: value` of a map, with the value's aliases resolved and both ends located. */
export interface Field {
  key: string;
  keyAt: Location;
  /** The value node, aliases resolved; null when the key has no value at all. */
  node: Node | null;
  /** Where the value is written (the key itself when the value is empty). */
  at: Location;
}

// Error positions are 1-based line:col, like every editor and compiler.
export function posOf(src: Source, node: unknown): Location {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (!range) return { file: src.file };
  const { line, col } = src.lc.linePos(range[0]);
  return { file: src.file, line, col };
}

// `*anchor` means the anchored node; callers never want to see an Alias.
export function resolve(src: Source, node: unknown): Node | null {
  if (isAlias(node)) return (node.resolve(src.doc) as Node | undefined) ?? null;
  return (node as Node | null) ?? null;
}

// A scalar `key:` with nothing after it parses as a null scalar; treat it as absent.
export function isEmpty(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

// Lists a map's fields in order, expanding `<<: *defaults` merge keys (explicit keys win, as in YAML).
export function fieldsOf(src: Source, map: Node): Field[] {
  if (!isMap(map)) return [];
  const own: Field[] = [];
  const merged: Field[] = [];
  for (const pair of map.items as Pair<unknown, unknown>[]) {
    if (isMergeKey(pair.key)) {
      const value = resolve(src, pair.value);
      const sources = isSeq(value) ? value.items.map((i) => resolve(src, i)) : [value];
      for (const s of sources) {
        if (!isMap(s)) {
          throw new PlaybookError('a "<<" merge key must point at a map', {
            at: posOf(src, pair.value ?? pair.key),
            hint: 'write `<<: *anchor` where `&anchor` names a map',
          });
        }
        merged.push(...fieldsOf(src, s));
      }
      continue;
    }
    own.push(fieldOf(src, pair));
  }
  const ownKeys = new Set(own.map((f) => f.key));
  return [...merged.filter((f) => !ownKeys.has(f.key)), ...own];
}

function fieldOf(src: Source, pair: Pair<unknown, unknown>): Field {
  const keyNode = resolve(src, pair.key);
  const keyAt = posOf(src, pair.key);
  if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
    throw new PlaybookError('a key must be a plain word', {
      at: keyAt,
      hint: 'a value that starts with "{{" must be quoted: msg: "{{ x }}"',
    });
  }
  const node = resolve(src, pair.value);
  const empty = isEmpty(node);
  return { key: String(keyNode.value), keyAt, node: empty ? null : node, at: empty ? keyAt : posOf(src, pair.value) };
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === 'symbol' || (key.value === '<<' && key.type === 'PLAIN'));
}

// Error messages say what was found, in the user's words rather than the parser's.
export function describe(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing';
    if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    if (typeof v === 'number') return `the number ${v}`;
    if (typeof v === 'boolean') return `the boolean ${v}`;
  }
  return 'an unsupported value';
}

// Plain JS value of a node (aliases and merge keys applied), for vars and module args.
export function toValue(src: Source, node: Node | null): unknown {
  if (node === null) return null;
  return node.toJS(src.doc, { maxAliasCount: 1000 });
}
