import { describe, expect, it } from 'vitest';
import { assert } from '../../../src/modules/assert.js';
import { debug } from '../../../src/modules/debug.js';
import { fail } from '../../../src/modules/fail.js';
import { ping } from '../../../src/modules/ping.js';
import { set_fact } from '../../../src/modules/set_fact.js';
import { at, fakeCtx, fakeProbe } from './fake-probe.js';

const noHost = fakeProbe();

describe('ping', () => {
  it('pong', async () => {
    const probe = fakeProbe([[/^echo pong$/, 'pong\n']]);
    expect(await ping.plan(ping.parse(null, at), probe, fakeCtx())).toEqual({ changed: false, result: { ping: 'pong' } });
    expect(probe.commands).toEqual(['echo pong']);
  });
  it('data is echoed back', async () => {
    const probe = fakeProbe([[/^echo pong$/, 'pong\n']]);
    expect((await ping.plan(ping.parse({ data: 'hi' }, at), probe, fakeCtx())).result).toEqual({ ping: 'hi' });
  });
  it('no pong → failed', async () => {
    const probe = fakeProbe([[/echo/, { code: 127, stderr: 'sh: echo: not found' }]]);
    expect((await ping.plan(ping.parse({}, at), probe, fakeCtx())).failed).toContain('rc=127');
  });
  it('unknown arg', () => expect(() => ping.parse({ date: 1 }, at)).toThrow('unknown argument "date" for module "ping"'));
});

describe('debug', () => {
  const vars = { app: { port: 80, hosts: ['a', 'b'] }, name: 'web' };
  it.each([
    [{ msg: 'hello' }, { changed: false, note: 'hello', result: { msg: 'hello' } }],
    [{}, { changed: false, note: 'Hello world!', result: { msg: 'Hello world!' } }],
    [{ msg: ['a', 1] }, { changed: false, note: '["a",1]', result: { msg: ['a', 1] } }],
    [{ var: 'name' }, { changed: false, note: '"web"', result: { name: 'web', msg: '"web"' } }],
    [{ var: 'app.port' }, { changed: false, note: '80', result: { 'app.port': 80, msg: '80' } }],
    [{ var: 'app.hosts.1' }, { changed: false, note: '"b"', result: { 'app.hosts.1': 'b', msg: '"b"' } }],
    [
      { var: 'nope.x' },
      {
        changed: false,
        note: '"VARIABLE IS NOT DEFINED!"',
        result: { 'nope.x': 'VARIABLE IS NOT DEFINED!', msg: '"VARIABLE IS NOT DEFINED!"' },
      },
    ],
  ])('%j', async (args, want) => expect(await debug.plan(debug.parse(args, at), noHost, fakeCtx({ vars }))).toEqual(want));
  it.each([
    [{ msg: 'a', var: 'b' }, 'give only one of msg, var'],
    [{ mgs: 'a' }, 'unknown argument "mgs" for module "debug"'],
    [{ msg: 'a', verbosity: 'lots' }, 'argument "verbosity" must be an integer'],
    [{ var: ['a'] }, 'argument "var" must be a string'],
  ])('parse %j', (args, msg) => expect(() => debug.parse(args, at)).toThrow(msg));
  it('is local', () => expect(debug.local).toBe(true));
});

describe('fail', () => {
  it('msg', async () =>
    expect(await fail.plan(fail.parse({ msg: 'stop' }, at), noHost, fakeCtx())).toEqual({ changed: false, failed: 'stop' }));
  it('default msg', async () =>
    expect((await fail.plan(fail.parse(null, at), noHost, fakeCtx())).failed).toBe('Failed as requested from task'));
  it('unknown arg', () => expect(() => fail.parse({ message: 'x' }, at)).toThrow('unknown argument "message"'));
});

describe('assert', () => {
  const truth: Record<string, boolean> = { 'a == 1': true, 'b == 2': false, 'c == 3': false };
  const ctx = () => {
    const seen: string[] = [];
    return {
      seen,
      ctx: fakeCtx({
        test: (e) => {
          seen.push(e);
          return truth[e];
        },
      }),
    };
  };
  it('all true', async () => {
    const { ctx: c } = ctx();
    expect(await assert.plan(assert.parse({ that: 'a == 1' }, at), noHost, c)).toEqual({
      changed: false,
      note: 'All assertions passed',
      result: { msg: 'All assertions passed' },
    });
  });
  it('names the first false expression and stops there', async () => {
    const { ctx: c, seen } = ctx();
    const plan = await assert.plan(assert.parse({ that: ['a == 1', 'b == 2', 'c == 3'] }, at), noHost, c);
    expect(plan).toEqual({ changed: false, failed: 'assertion failed: b == 2', result: { assertion: 'b == 2', evaluated_to: false } });
    expect(seen).toEqual(['a == 1', 'b == 2']);
  });
  it('fail_msg (and its alias msg)', async () => {
    for (const key of ['fail_msg', 'msg']) {
      const plan = await assert.plan(assert.parse({ that: ['c == 3'], [key]: 'bad c' }, at), noHost, ctx().ctx);
      expect(plan).toMatchObject({ failed: 'bad c', result: { assertion: 'c == 3' } });
    }
  });
  it('success_msg and quiet', async () => {
    const plan = await assert.plan(assert.parse({ that: ['a == 1'], success_msg: 'fine', quiet: true }, at), noHost, ctx().ctx);
    expect(plan).toEqual({ changed: false, note: undefined, result: { msg: 'fine' } });
  });
  it('that: false / true (a YAML boolean) is the condition False / True, as Ansible', async () => {
    expect(assert.parse({ that: false }, at).that).toEqual(['False']);
    expect(assert.parse({ that: [true, 'a == 1'] }, at).that).toEqual(['True', 'a == 1']);
  });
  it.each([
    [{}, 'missing required argument "that"'],
    [{ that: [] }, 'missing required argument "that"'],
    [{ that: { a: 1 } }, 'argument "that" must be an expression or a list of expressions'],
    [{ that: 'x', fail_mesg: 'y' }, 'unknown argument "fail_mesg" for module "assert"'],
    [{ that: 'x', quiet: 'very' }, 'must be a boolean'],
  ])('parse %j', (args, msg) => expect(() => assert.parse(args, at)).toThrow(msg));
});

describe('set_fact', () => {
  it('facts out, cacheable dropped', async () => {
    const p = set_fact.parse({ a: 1, b_2: { c: [1] }, cacheable: true }, at);
    expect(await set_fact.plan(p, noHost, fakeCtx())).toEqual({
      changed: false,
      facts: { a: 1, b_2: { c: [1] } },
      result: { ansible_facts: { a: 1, b_2: { c: [1] } } },
    });
  });
  it.each([
    [{ 'bad-name': 1 }, 'set_fact: "bad-name" is not a valid variable name'],
    [{ '1x': 1 }, '"1x" is not a valid variable name'],
    [{}, 'set_fact: no facts given'],
    [{ cacheable: true }, 'set_fact: no facts given'],
    ['a=1', 'expects a mapping'],
  ])('parse %j', (args, msg) => expect(() => set_fact.parse(args, at)).toThrow(msg));
});
