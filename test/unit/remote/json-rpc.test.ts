import { describe, expect, it } from 'vitest';
import { jsonScanner, rpcReader, rpcRequest } from '../../../src/remote/json-rpc.js';

/** The reply to request `id` in the whole text received, as a socket's reader sees it at once. */
const rpcReply = (received: string, id?: number) => rpcReader(id)(received);

describe('JSON-RPC on a socket (OVSDB, RFC 7047)', () => {
  it('the end of one JSON value: brackets inside strings and escaped quotes do not count', () => {
    const v = '{"a":"}]\\"{","b":[1,{"c":"\\\\"}]}';
    expect(JSON.parse(v.slice(0, jsonScanner()(v)))).toEqual({ a: '}]"{', b: [1, { c: '\\' }] });
    expect(jsonScanner()(`${v}{"next":1}`)).toBe(v.length);
    expect(jsonScanner()(v.slice(0, -1))).toBe(-1);
    expect(jsonScanner(0)('  [1, [2]] x')).toBe(10);
  });
  it('a reply arriving in pieces is scanned once: a cut inside a string or right after a backslash changes nothing', () => {
    const whole = '{"id":0,"result":[{"rows":[{"name":"a\\"]}"}]}],"error":null}{"id":1}';
    const end = whole.indexOf('{"id":1}');
    for (let cut = 1; cut < end; cut++) {
      const scan = jsonScanner();
      expect(scan(whole.slice(0, cut))).toBe(-1);
      expect(scan(whole)).toBe(end);
    }
  });
  it('the reply to our id once it is whole; messages the server sends on its own are passed over', () => {
    const request = rpcRequest('transact', ['Open_vSwitch', { op: 'select', table: 'Bridge', where: [] }]);
    expect(JSON.parse(request)).toEqual({
      method: 'transact',
      params: ['Open_vSwitch', { op: 'select', table: 'Bridge', where: [] }],
      id: 0,
    });
    const reply = '{"id":0,"result":[{"rows":[{"name":"ob}r0"}]}],"error":null}';
    expect(rpcReply(reply.slice(0, 20))).toBeUndefined();
    expect(rpcReply(reply)).toEqual({ result: [{ rows: [{ name: 'ob}r0' }] }], error: null });
    const echo = '{"id":"echo","method":"echo","params":[]}';
    const update = '{"id":null,"method":"update","params":[0,{}]}';
    expect(rpcReply(`${echo}${update}${reply}`)).toEqual({ result: [{ rows: [{ name: 'ob}r0' }] }], error: null });
    expect(rpcReply('{"id":0,"result":null,"error":"unknown database"}')).toEqual({ result: null, error: 'unknown database' });
    expect(rpcReply('{"id":7,"result":[],"error":null}')).toBeUndefined();
    expect(rpcReply('{not json}')).toBe('not json');
  });
  it('a reader fed as the text grows: cut anywhere (after an inner brace too), or after a message of its own', () => {
    const reply = '{"id":0,"result":[{"rows":[{"name":"a\\"}"},{"tag":{}}]}],"error":null}';
    const echo = '{"id":"echo","method":"echo","params":[]}';
    const want = { result: [{ rows: [{ name: 'a"}' }, { tag: {} }] }], error: null };
    for (const text of [reply, `${echo}${reply}`]) {
      for (let cut = 1; cut < text.length; cut++) {
        const read = rpcReader();
        expect(read(text.slice(0, cut)), `cut at ${cut}: ${text.slice(0, cut)}`).toBeUndefined();
        expect(read(text)).toEqual(want);
      }
    }
    // a whole message of the server's own first, then the reply in a later read
    const read = rpcReader();
    expect(read(echo)).toBeUndefined();
    expect(read(`${echo}${reply}`)).toEqual(want);
  });
  it('the same request text for the same params, made once', () => {
    const params = ['Open_vSwitch', { op: 'select', table: 'Port', where: [] }];
    expect(rpcRequest('transact', params)).toBe(rpcRequest('transact', params));
    expect(JSON.parse(rpcRequest('transact', params, 3)).id).toBe(3);
    expect(JSON.parse(rpcRequest('echo', params)).method).toBe('echo');
  });
});
