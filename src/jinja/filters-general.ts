// community.general's data filters that real roles use: json_query, dict, dict_kv, counter and version_sort, after the
// collection's plugins. JMESPath comes from the jmespath package, the specification's reference JavaScript
// implementation (Python's jmespath, which the collection calls, implements the same specification).
import jmespath from 'jmespath';
import { bind, type FilterTable, REQUIRED, str } from './filters-util.js';
import { isMapping, iterate, JinjaError, pyCompare, pyRepr, pyType, truthy } from './values.js';
import { looseKey } from './versions.js';

/** Python's dict(): from a mapping, or from pairs. */
function toDict(seq: unknown): Record<string, unknown> {
  if (isMapping(seq)) return { ...seq };
  if (!Array.isArray(seq)) throw new JinjaError(`dict: '${pyType(seq)}' object is not iterable`);
  const out: Record<string, unknown> = {};
  seq.forEach((pair, i) => {
    const kv = typeof pair === 'string' || Array.isArray(pair) || isMapping(pair) ? iterate(pair) : undefined;
    if (kv === undefined) throw new JinjaError(`dict: cannot convert dictionary update sequence element #${i} to a sequence`);
    if (kv.length !== 2) throw new JinjaError(`dict: dictionary update sequence element #${i} has length ${kv.length}; 2 is required`);
    if (Array.isArray(kv[0]) || isMapping(kv[0])) throw new JinjaError(`dict: unhashable type: '${pyType(kv[0])}'`);
    out[str(kv[0])] = kv[1];
  });
  return out;
}

export const GENERAL_FILTERS: FilterTable = {
  json_query: (_e, data, args, kw) => {
    const p = bind('json_query', args, kw, { expr: REQUIRED });
    if (typeof p.expr !== 'string') throw new JinjaError(`json_query: the query must be a string, got ${pyRepr(p.expr)}`);
    try {
      return jmespath.search(data, p.expr) as unknown;
    } catch (e) {
      throw new JinjaError(`JMESPathError in json_query filter plugin: ${(e as Error).message}`);
    }
  },
  dict: (_e, v) => toDict(v),
  dict_kv: (_e, v, args, kw) => {
    const p = bind('dict_kv', args, kw, { key: REQUIRED });
    return { [str(p.key)]: v };
  },
  counter: (_e, v) => {
    if (typeof v !== 'string' && !Array.isArray(v)) {
      throw new JinjaError(`Argument for community.general.counter must be a sequence (string or list). ${pyRepr(v)} is ${pyType(v)}`);
    }
    const out: Record<string, number> = {};
    for (const x of iterate(v)) {
      if (Array.isArray(x) || isMapping(x)) {
        throw new JinjaError(
          `community.general.counter needs a sequence with hashable elements (int, float or str) - unhashable type: '${pyType(x)}'`,
        );
      }
      const k = str(x);
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  },
  version_sort: (_e, v, args, kw) => {
    const p = bind('version_sort', args, kw, { reverse: false });
    const sign = truthy(p.reverse) ? -1 : 1;
    // a stable sort either way: Python's sorted(reverse=True) keeps equal items in their order too
    return iterate(v)
      .map((x) => ({ x, k: looseKey(str(x)) }))
      .sort((a, b) => sign * pyCompare(a.k, b.k))
      .map((e) => e.x);
  },
};
