// The Handlebars interpreter against Handlebars itself: every template here runs through Handlebars 4.7's compiled
// code and through the interpreter, with the same helpers, the same strict rewrite and the same whitespace pass, and
// must come out the same (text, or the same error). Handlebars is the oracle, in the same process.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { HbsInterpreter, interpretable, lookupProperty } from '../../../src/template/hbs-interp.js';
import { HELPERS } from '../../../src/template/helpers.js';
import { renderHandlebars } from '../../../src/template/render.js';
import { makeStrict } from '../../../src/template/strict.js';

const ROOT = join(import.meta.dirname, '../../..');
const env = Handlebars.create();
env.registerHelper(HELPERS);
const helperNames = new Set(Object.keys(env.helpers));
const NO_PROTOTYPES = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };

type Outcome = { text: string } | { error: string };

function outcome(fn: () => string): Outcome {
  try {
    return { text: fn() };
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

/** Handlebars' compiled code, as render.ts used it before the interpreter. */
function byHandlebars(src: string, ctx: unknown): Outcome {
  return outcome(() =>
    env.compile(makeStrict(env.parseWithoutProcessing(src), helperNames), { noEscape: true, strict: false })(ctx, NO_PROTOTYPES),
  );
}

function byInterpreter(src: string, ctx: unknown): Outcome {
  const strict = makeStrict(env.parseWithoutProcessing(src), helperNames);
  expect(interpretable(strict)).toBe(true);
  const parsed = (env.parse as unknown as (a: hbs.AST.Program) => hbs.AST.Program)(strict);
  const run = new HbsInterpreter(parsed, env.helpers as Record<string, (...a: unknown[]) => unknown>);
  return outcome(() => run.render(ctx));
}

const same = (src: string, ctx: unknown) => {
  const want = byHandlebars(src, ctx);
  expect(byInterpreter(src, ctx), src).toEqual(want);
  return want;
};

const ctx = {
  name: 'web1',
  port: 8080,
  zero: 0,
  one: 1,
  two: 2,
  yes: true,
  no: false,
  empty: '',
  nil: null,
  tags: ['a', 'b'],
  none: [],
  nested: { list: [1, 2], deep: { v: 'x', n: 3 }, zero: 0 },
  items: [{ n: 'one', v: 1 }, { n: 'two', v: 2 }, null, { n: 'four', items: [{ n: 'inner' }] }],
  map: { b: 2, a: 1, c: { d: 'x' } },
  quote: `say "hi" & <bye>`,
  'odd key': 'spaced',
  arr2: [
    [1, 2],
    [3, 4],
  ],
};

const CASES: string[] = [
  // plain values and the `+` the generated code joins with (two numbers side by side add up, as in Handlebars)
  '{{name}}:{{port}}',
  '{{one}}{{two}}',
  '{{one}}{{two}}x',
  'x{{one}}{{two}}',
  '{{yes}}{{one}}',
  '{{one}}',
  '{{tags}}',
  '{{nested}}',
  '{{nil}}|{{zero}}|{{empty}}|{{no}}',
  '{{{quote}}} {{quote}} {{&quote}}',
  '{{nested.deep.v}}{{nested.deep.n}}{{nested.zero}}',
  '{{tags.length}} {{tags.[1]}} {{name.length}} {{arr2.[1].[0]}}',
  '{{[odd key]}}',
  '{{this.name}} {{./port}}',
  // blocks: if/unless/else chains, each over lists, maps, empties and nulls, with, lookup
  '{{#if yes}}Y{{else}}N{{/if}}{{#if no}}Y{{else}}N{{/if}}{{#if zero}}Y{{else}}N{{/if}}{{#if none}}Y{{else}}N{{/if}}',
  '{{#if zero includeZero=true}}Y{{else}}N{{/if}}',
  '{{#if no}}a{{else if zero}}b{{else if one}}c{{else}}d{{/if}}',
  '{{#unless no}}U{{else}}V{{/unless}}{{#unless yes}}U{{else}}V{{/unless}}',
  '{{#each tags}}{{@index}}={{this}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}},{{/each}}',
  '{{#each map}}{{@key}}:{{this}}{{#if @last}}.{{/if}} {{/each}}',
  '{{#each none}}x{{else}}empty{{/each}}{{#each nil}}x{{else}}null{{/each}}',
  '{{#each items}}[{{n}}{{v}}|{{@root.name}}|{{../name}}]{{/each}}',
  '{{#each items}}{{#each items}}{{n}}/{{../n}}/{{../../name}}/{{@../index}}{{/each}}{{/each}}',
  '{{#each arr2}}{{#each this}}{{this}}{{@../index}}{{/each}};{{/each}}',
  '{{#with nested.deep}}{{v}}{{n}}{{../name}}{{else}}none{{/with}}{{#with nil}}x{{else}}none{{/with}}',
  '{{#with map}}{{#with c}}{{d}}{{../b}}{{../../port}}{{/with}}{{/with}}',
  '{{lookup map "b"}} {{lookup tags 1}} {{lookup nil "x"}}|{{lookup map "constructor"}}|',
  '{{#if nested.constructor}}y{{else}}n{{/if}}{{constructor}}{{__proto__}}{{toString}}{{tags.map}}',
  // a block named by a value, not a helper: blockHelperMissing (true, false, lists, objects)
  '{{#yes}}T{{/yes}}{{#no}}F{{else}}notF{{/no}}{{#tags}}<{{this}}>{{/tags}}{{#nested}}{{list}}{{/nested}}{{#none}}x{{else}}e{{/none}}',
  '{{#nested.deep}}{{v}}{{/nested.deep}}{{#this}}{{name}}{{/this}}',
  '{{^no}}inv{{/no}}{{^yes}}x{{else}}y{{/yes}}{{^tags}}x{{/tags}}',
  // an ambiguous block between parts breaks the chain: `buffer += a + b` and `return buffer + a + b`
  '{{one}}{{two}}{{#yes}}!{{/yes}}{{one}}{{two}}{{#yes}}!{{/yes}}{{one}}{{two}}',
  '{{#yes}}{{one}}{{two}}{{/yes}}{{one}}{{two}}',
  '{{#if yes}}{{one}}{{/if}}{{two}}',
  '{{#yes}}a{{/yes}}',
  '{{#each tags}}{{one}}{{two}}{{/each}}',
  // helpers: ours and subexpressions, hash arguments, literals
  '{{default nil "d"}} {{default name "d"}} {{join tags "-"}} {{json nested}} {{upper name}}',
  '{{json (merge (object a=1 b="x") map) 2}}',
  '{{#if (and yes (not no))}}and{{/if}}{{#if (or no zero)}}or{{else}}nor{{/if}}{{#if (eq one 1)}}eq{{/if}}',
  '{{address "10.0.0.5/24"}} {{netmask "10.0.0.5/24"}} {{prefix "10.0.0.5/24"}} {{host_addr "10.0.0.0/24" 1}} {{ip_hex "10.0.0.5"}}',
  '{{indent "a\nb" 2}}|{{lt 1 2}}{{ge 1 2}}',
  '{{default undefined "u"}}{{default null "n"}}{{default 0 "z"}}{{default true "t"}}',
  '{{"name"}}{{true}}',
  // whitespace control and standalone lines
  'a\n{{#if yes}}\n  b\n{{/if}}\nc\n',
  'a {{~name~}} b\n{{#each tags~}}\n  {{this}}\n{{~/each}}\n',
  '  {{! comment }}\nx{{!-- long }} comment --}}y\n',
  '{{#each tags}}\n{{this}}\n{{/each}}\n',
  // errors: a missing variable (strict), a missing helper, a helper's own refusal, #if with two arguments
  '{{not_defined}}',
  'line1\n{{nested.nope.deeper}}',
  '{{#each missing_list}}x{{/each}}',
  '{{nope_helper 1}}',
  '{{address "not-an-ip"}}',
  '{{#if yes no}}x{{/if}}',
  '{{indent "x" -1}}',
  '{{join name}}',
  // which missing variable is named: the arguments in order, then the hash from its last pair
  '{{json (object a=missing1 b=missing2)}}',
  '{{join missing1 x=missing2}}',
  '{{json (object b=(object y=2 x=1) a=1)}}',
];

describe('interpreter and Handlebars give the same output', () => {
  it.each(CASES)('%j', (src) => {
    same(src, ctx);
  });
  it('a null, undefined or list context, and values that are functions (lambdas)', () => {
    for (const c of [null, undefined, ['a'], { f: () => 'called', g: { h: () => 7 } }]) {
      for (const src of ['[{{this}}]', '{{#each this}}{{this}}{{/each}}', '{{f}}|{{g.h}}|{{#f}}x{{/f}}', '{{#if this}}t{{/if}}'])
        same(src, c as unknown);
    }
  });
  it('every .hbs shipped or in the fixtures, for each host of a mesh', () => {
    const files = [
      ...readdirSync(join(ROOT, 'templates')).map((f) => join(ROOT, 'templates', f)),
      join(ROOT, 'test/fixtures/e2e/templates/app.conf.hbs'),
      join(ROOT, 'test/fixtures/bad-input/templates/undefined-var.hbs'),
    ].filter((f) => f.endsWith('.hbs'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const mesh = ['h1', 'h2', 'h3'];
    const hostvars = Object.fromEntries(
      mesh.map((h, i) => [
        h,
        { ansible_host: `10.0.0.${i + 1}`, docker_subnet: `192.168.${i + 1}.0/24`, bridge_cidr: `192.168.${i + 1}.1/24` },
      ]),
    );
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      for (const h of mesh) {
        const vars = { ...hostvars[h], inventory_hostname: h, groups: { mesh }, hostvars, ansible_os_family: 'Debian', mtu: 1400 };
        const got = same(src, vars);
        if (!f.includes('undefined-var')) expect('text' in got).toBe(true);
      }
    }
  });
  it('renderHandlebars goes through the interpreter and reads as before', () => {
    expect(renderHandlebars('{{one}}{{two}}-{{#each tags}}{{this}}{{/each}}', ctx, {})).toBe('3-ab');
  });
});

describe('what the interpreter leaves to Handlebars', () => {
  it('partials, decorators and block parameters', () => {
    for (const src of ['{{> part}}', '{{#> layout}}x{{/layout}}', '{{#each tags as |t|}}{{t}}{{/each}}', '{{* deco}}'])
      expect(interpretable(env.parseWithoutProcessing(src))).toBe(false);
    expect(interpretable(env.parseWithoutProcessing('{{#each tags}}{{this}}{{/each}}'))).toBe(true);
  });
  it('lookupProperty: own properties only, never a prototype constructor', () => {
    expect(lookupProperty({ a: 1 }, 'a')).toBe(1);
    expect(lookupProperty({}, 'toString')).toBeUndefined();
    expect(lookupProperty('abc', 'length')).toBe(3);
    expect(lookupProperty(Object.prototype, 'constructor')).toBeUndefined();
  });
});
