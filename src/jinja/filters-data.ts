// Ansible's data filters: JSON and YAML, dict merging and reshaping, list flattening, set operations, combinatorics.
import YAML from 'yaml';
import { bind, type FilterTable, pyJson, REQUIRED, seededRandom, str, toList } from './filters-util.js';
import { isMapping, isUndefined, JinjaError, type Kwargs, pyEq, pyRepr, pyType, truthy, tuple, Undefined } from './values.js';

function jsonOpts(fn: string, kw: Kwargs, defaults: { indent: unknown; sort_keys: unknown }) {
  const p = bind(fn, [], kw, { ...defaults, ensure_ascii: true, separators: null, skipkeys: false, default: null });
  return { indent: p.indent as number | null, sortKeys: truthy(p.sort_keys), ensureAscii: truthy(p.ensure_ascii) };
}

/** Ansible's unique() over lists of any values: first occurrence wins, compared with Python ==. */
function uniq(items: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of items) if (!out.some((y) => pyEq(x, y))) out.push(x);
  return out;
}
const has = (items: unknown[], x: unknown) => items.some((y) => pyEq(x, y));

/** One scalar as PyYAML writes it: plain when unambiguous under YAML 1.1, else single-quoted, double-quoted if multi-line. */
function yamlScalar(v: unknown): string {
  if (typeof v === 'string' && /[\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(v)) return pyJson(v, { ensureAscii: false });
  if (v === null || v === undefined) return 'null';
  if (isUndefined(v)) v.fail();
  if (typeof v === 'string' && /^[yYnN]$/.test(v)) return v;
  return YAML.stringify(v, { version: '1.1', singleQuote: true, lineWidth: 0 }).replace(/\n$/, '');
}

/**
 * PyYAML's dump as Ansible calls it: sorted keys, '- ' items flush with their parent key, nested collections under
 * '-' padded to the indent, and (to_yaml's default_flow_style=None) flow style for collections of scalars only.
 */
function dumpYaml(v: unknown, indent: number, flowLeaves: boolean): string {
  const isColl = (x: unknown): x is unknown[] | Record<string, unknown> => Array.isArray(x) || isMapping(x);
  const entries = (x: unknown[] | Record<string, unknown>): [string | null, unknown][] =>
    Array.isArray(x)
      ? x.map((i) => [null, i])
      : Object.keys(x)
          .sort()
          .map((k) => [k, x[k]]);
  const inline = (x: unknown): string | undefined => {
    if (!isColl(x)) return yamlScalar(x);
    const es = entries(x);
    if (es.length && (!flowLeaves || es.some(([, i]) => isColl(i)))) return undefined;
    const body = es.map(([k, i]) => (k === null ? yamlScalar(i) : `${yamlScalar(k)}: ${yamlScalar(i)}`)).join(', ');
    return Array.isArray(x) ? `[${body}]` : `{${body}}`;
  };
  const block = (x: unknown[] | Record<string, unknown>, col: number): string[] => {
    const pad = ' '.repeat(col);
    const out: string[] = [];
    for (const [k, i] of entries(x)) {
      const one = inline(i);
      if (k !== null) {
        if (one !== undefined) out.push(`${pad}${yamlScalar(k)}: ${one}`);
        else out.push(`${pad}${yamlScalar(k)}:`, ...block(i as never, Array.isArray(i) ? col : col + indent));
      } else if (one !== undefined) out.push(`${pad}- ${one}`);
      else {
        const inner = block(i as never, col + indent);
        out.push(`${pad}-${' '.repeat(indent - 1)}${inner[0].slice(col + indent)}`, ...inner.slice(1));
      }
    }
    return out;
  };
  const top = inline(v);
  if (top === undefined) return `${block(v as never, 0).join('\n')}\n`;
  return isColl(v) || /^['"]/.test(top) ? `${top}\n` : `${top}\n...\n`;
}

function yamlParse(v: unknown, all: boolean): unknown {
  if (typeof v !== 'string') return v;
  try {
    if (all) return YAML.parseAllDocuments(v).map((d) => d.toJS());
    return YAML.parse(v, { version: '1.1' }) ?? null;
  } catch (e) {
    throw new JinjaError(`from_yaml: ${(e as Error).message.split('\n')[0]}`);
  }
}

type ListMerge = 'replace' | 'keep' | 'append' | 'prepend' | 'append_rp' | 'prepend_rp';

/** Ansible's merge_hash: b's keys win; nested dicts merge when recursive; lists per list_merge. */
function mergeHash(a: Record<string, unknown>, b: Record<string, unknown>, recursive: boolean, lm: ListMerge): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, bv] of Object.entries(b)) {
    if (!Object.hasOwn(out, k)) {
      out[k] = bv;
      continue;
    }
    const av = out[k];
    if (recursive && isMapping(av) && isMapping(bv)) out[k] = mergeHash(av, bv, recursive, lm);
    else if (Array.isArray(av) && Array.isArray(bv)) {
      if (lm === 'keep') continue;
      if (lm === 'append') out[k] = [...av, ...bv];
      else if (lm === 'prepend') out[k] = [...bv, ...av];
      else if (lm === 'append_rp') out[k] = [...av.filter((x) => !has(bv, x)), ...bv];
      else if (lm === 'prepend_rp') out[k] = [...bv, ...av.filter((x) => !has(bv, x))];
      else out[k] = bv;
    } else out[k] = bv;
  }
  return out;
}

function flatten(items: unknown[], levels: number | null, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const x of items) {
    if (skipNulls && (x === null || x === 'None' || x === 'null')) continue;
    if (Array.isArray(x) && (levels === null || levels >= 1)) out.push(...flatten(x, levels === null ? null : levels - 1, skipNulls));
    else out.push(x);
  }
  return out;
}

function product(lists: unknown[][]): unknown[][] {
  return lists.reduce<unknown[][]>((acc, l) => acc.flatMap((p) => l.map((x) => [...p, x])), [[]]);
}

function combinations(items: unknown[], r: number): unknown[][] {
  if (r === 0) return [[]];
  if (r > items.length) return [];
  const out: unknown[][] = [];
  items.forEach((x, i) => {
    for (const rest of combinations(items.slice(i + 1), r - 1)) out.push([x, ...rest]);
  });
  return out;
}

function permutations(items: unknown[], r: number): unknown[][] {
  if (r === 0) return [[]];
  const out: unknown[][] = [];
  items.forEach((x, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)], r - 1)) out.push([x, ...rest]);
  });
  return out;
}

function zipLists(lists: unknown[], longest: boolean, fill: unknown): unknown[][] {
  const ls = lists.map(toList);
  if (!ls.length) return [];
  const n = longest ? Math.max(...ls.map((l) => l.length)) : Math.min(...ls.map((l) => l.length));
  return Array.from({ length: n }, (_, i) => ls.map((l) => (i < l.length ? l[i] : fill)));
}

/** Jinja's getitem for extract(): dict key or list index, Undefined when missing. */
function getItem(container: unknown, key: unknown): unknown {
  if (Array.isArray(container) && typeof key === 'number') {
    const i = key < 0 ? container.length + key : key;
    if (i >= 0 && i < container.length) return container[i];
  } else if (isMapping(container) && Object.hasOwn(container, String(key))) return container[String(key)];
  if (isUndefined(container)) container.fail();
  return new Undefined(`'${pyType(container)} object' has no attribute ${pyRepr(key)}`, String(key));
}

/** The data filters by name. */
export const DATA_FILTERS: FilterTable = {
  to_json: (_e, v, args, kw) =>
    pyJson(v, jsonOpts('to_json', { ...kw, ...(args.length ? { indent: args[0] } : {}) }, { indent: null, sort_keys: false })),
  to_nice_json: (_e, v, args, kw) => {
    const p = bind(
      'to_nice_json',
      args.slice(0, 2),
      Object.fromEntries(Object.entries(kw).filter(([k]) => k === 'indent' || k === 'sort_keys')),
      {
        indent: 4,
        sort_keys: true,
      },
    );
    const rest = Object.fromEntries(Object.entries(kw).filter(([k]) => k !== 'indent' && k !== 'sort_keys'));
    const o = jsonOpts('to_nice_json', rest, { indent: p.indent, sort_keys: p.sort_keys });
    return pyJson(v, { ...o, indent: p.indent as number, sortKeys: truthy(p.sort_keys) });
  },
  from_json: (_e, v) => {
    try {
      return JSON.parse(str(v));
    } catch (e) {
      throw new JinjaError(`from_json: ${(e as Error).message}`);
    }
  },
  to_yaml: (_e, v, args, kw) => {
    const p = bind('to_yaml', args, kw, { default_flow_style: null, indent: 2 });
    return dumpYaml(v, Number(p.indent), p.default_flow_style === null);
  },
  to_nice_yaml: (_e, v, args, kw) => dumpYaml(v, Number(bind('to_nice_yaml', args, kw, { indent: 4 }).indent), false),
  from_yaml: (_e, v) => yamlParse(v, false),
  from_yaml_all: (_e, v) => yamlParse(v, true),
  combine: (_e, v, args, kw) => {
    const p = bind('combine', [], kw, { recursive: false, list_merge: 'replace' });
    const lm = str(p.list_merge);
    if (!['replace', 'keep', 'append', 'prepend', 'append_rp', 'prepend_rp'].includes(lm)) {
      throw new JinjaError(
        `merge_hash: 'list_merge' argument can only be equal to 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp'`,
      );
    }
    const dicts = flatten([v, ...args], null, false);
    if (!dicts.length) return {};
    return dicts.reduce((a: Record<string, unknown>, b) => {
      if (!isMapping(b)) throw new JinjaError(`failed to combine variables, expected dicts but got a '${pyType(b)}'`);
      return mergeHash(a, b, truthy(p.recursive), lm as ListMerge);
    }, {});
  },
  dict2items: (_e, v, args, kw) => {
    const p = bind('dict2items', args, kw, { key_name: 'key', value_name: 'value' });
    if (!isMapping(v)) throw new JinjaError(`dict2items requires a dictionary, got ${pyType(v)} instead.`);
    return Object.entries(v).map(([k, x]) => ({ [str(p.key_name)]: k, [str(p.value_name)]: x }));
  },
  items2dict: (_e, v, args, kw) => {
    const p = bind('items2dict', args, kw, { key_name: 'key', value_name: 'value' });
    if (!Array.isArray(v)) throw new JinjaError(`items2dict requires a list, got ${pyType(v)} instead.`);
    const out: Record<string, unknown> = {};
    for (const it of v) {
      if (!isMapping(it)) throw new JinjaError(`items2dict requires a list of dictionaries, got ${pyType(it)} instead.`);
      const [k, x] = [str(p.key_name), str(p.value_name)];
      if (!Object.hasOwn(it, k) || !Object.hasOwn(it, x)) {
        throw new JinjaError(
          `items2dict requires each dictionary in the list to contain the keys '${k}' and '${x}', got ${pyRepr(it)} instead.`,
        );
      }
      out[str(it[k])] = it[x];
    }
    return out;
  },
  flatten: (_e, v, args, kw) => {
    const p = bind('flatten', args, kw, { levels: null, skip_nulls: true });
    if (!Array.isArray(v)) throw new JinjaError(`flatten expects a list, got ${pyType(v)}`);
    return flatten(v, p.levels === null ? null : Number(p.levels), truthy(p.skip_nulls));
  },
  zip: (_e, v, args, kw) => {
    bind('zip', [], kw, {});
    return zipLists([v, ...args], false, null).map((t) => tuple(t));
  },
  zip_longest: (_e, v, args, kw) =>
    zipLists([v, ...args], true, bind('zip_longest', [], kw, { fillvalue: null }).fillvalue).map((t) => tuple(t)),
  product: (_e, v, args, kw) => {
    const repeat = Number(bind('product', [], kw, { repeat: 1 }).repeat);
    const lists = [v, ...args].map(toList);
    return product(Array.from({ length: repeat }, () => lists).flat()).map((t) => tuple(t));
  },
  permutations: (_e, v, args, kw) => {
    const items = toList(v);
    const r = bind('permutations', args, kw, { r: null }).r;
    return permutations(items, r === null ? items.length : Number(r));
  },
  combinations: (_e, v, args, kw) => combinations(toList(v), Number(bind('combinations', args, kw, { r: REQUIRED }).r)),
  union: (_e, v, args) => uniq([...toList(v), ...toList(args[0])]),
  intersect: (_e, v, args) => {
    const b = toList(args[0]);
    return uniq(toList(v).filter((x) => has(b, x)));
  },
  difference: (_e, v, args) => {
    const b = toList(args[0]);
    return uniq(toList(v).filter((x) => !has(b, x)));
  },
  symmetric_difference: (_e, v, args) => {
    const [a, b] = [toList(v), toList(args[0])];
    const both = uniq(a.filter((x) => has(b, x)));
    return uniq([...a, ...b]).filter((x) => !has(both, x));
  },
  shuffle: (_e, v, args, kw) => {
    const p = bind('shuffle', args, kw, { seed: null });
    if (!Array.isArray(v)) return v;
    const out = [...v];
    const rnd = seededRandom(p.seed);
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  },
  random: (_e, v, args, kw) => {
    const p = bind('random', args, kw, { start: null, step: null, seed: null });
    const rnd = seededRandom(p.seed);
    if (typeof v === 'number' && Number.isInteger(v)) {
      const start = truthy(p.start) ? Number(p.start) : 0;
      const step = truthy(p.step) ? Number(p.step) : 1;
      const n = Math.ceil((v - start) / step);
      if (n <= 0) throw new JinjaError(`empty range for randrange() (${start}, ${v}, ${n})`);
      return start + step * Math.floor(rnd() * n);
    }
    if (truthy(p.start) || truthy(p.step)) throw new JinjaError('start and step can only be used with integer values');
    if (typeof v !== 'string' && !Array.isArray(v) && !isMapping(v))
      throw new JinjaError('random can only be used on sequences and integers');
    const items = toList(v);
    if (!items.length) throw new JinjaError('Cannot choose from an empty sequence');
    return items[Math.floor(rnd() * items.length)];
  },
  subelements: (_e, v, args, kw) => {
    const p = bind('subelements', args, kw, { subelements: REQUIRED, skip_missing: false });
    let elements: unknown[];
    if (isMapping(v)) elements = Object.values(v);
    else if (Array.isArray(v)) elements = v;
    else throw new JinjaError('obj must be a list of dicts or a nested dict');
    let path: unknown[];
    if (Array.isArray(p.subelements)) path = p.subelements;
    else if (typeof p.subelements === 'string') path = p.subelements.split('.');
    else throw new JinjaError('subelements must be a list or a string');
    const out: unknown[][] = [];
    for (const el of elements) {
      let values: unknown = el;
      let last: unknown = null;
      for (const key of path) {
        last = key;
        if (!isMapping(values)) throw new JinjaError(`the key ${str(key)} should point to a dictionary, got '${str(values)}'`);
        if (!Object.hasOwn(values, String(key))) {
          if (truthy(p.skip_missing)) {
            values = [];
            break;
          }
          throw new JinjaError(`could not find ${pyRepr(key)} key in iterated item ${pyRepr(values)}`);
        }
        values = values[String(key)];
      }
      if (!Array.isArray(values)) throw new JinjaError(`the key ${pyRepr(last)} should point to a list, got ${pyRepr(values)}`);
      for (const x of values) out.push([el, x]);
    }
    return out;
  },
  extract: (_e, v, args, kw) => {
    const p = bind('extract', args, kw, { container: REQUIRED, morekeys: null });
    const keys = p.morekeys === null ? [v] : Array.isArray(p.morekeys) ? [v, ...p.morekeys] : [v, p.morekeys];
    return keys.reduce((c, k) => getItem(c, k), p.container);
  },
  mandatory: (_e, v, args, kw) => {
    const p = bind('mandatory', args, kw, { msg: null });
    if (!isUndefined(v)) return v;
    if (p.msg !== null) throw new JinjaError(str(p.msg));
    throw new JinjaError(
      `Mandatory variable ${pyRepr(v.name)} not defined.`,
      'define it (inventory, vars, --extra-vars) or give it a default',
    );
  },
  ternary: (_e, v, args, kw) => {
    const p = bind('ternary', args, kw, { true_val: REQUIRED, false_val: REQUIRED, none_val: null });
    if (v === null && p.none_val !== null) return p.none_val;
    return truthy(v) ? p.true_val : p.false_val;
  },
  type_debug: (_e, v) => pyType(v),
};
