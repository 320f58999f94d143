// JSON-RPC 1.0 as OVSDB speaks it (RFC 7047 §4): one request on a socket, and its reply found in what came back.
// Written here: the messages are JSON values one after another with no delimiter, so the end of one is found by
// counting brackets outside strings (a few lines; no library frames this).

export interface RpcReply {
  result: unknown;
  error: unknown;
}

const requests = new WeakMap<unknown[], Map<string, string>>();

/** The request's text: method, params, id. Made once per params array (every port of a loop asks the same). */
export function rpcRequest(method: string, params: unknown[], id = 0): string {
  let byKey = requests.get(params);
  if (!byKey) requests.set(params, (byKey = new Map()));
  const key = `${method}\n${id}`;
  let text = byKey.get(key);
  if (text === undefined) byKey.set(key, (text = JSON.stringify({ method, params, id })));
  return text;
}

/**
 * A scanner over text that only grows (a socket's reply as it arrives): each call goes on from where the last one
 * stopped, and returns the index just past the next whole top-level JSON object or array, or -1 until there is one.
 */
export function jsonScanner(from = 0): (text: string) => number {
  let i = from;
  let depth = 0;
  let inString = false;
  let escaped = false;
  return (text) => {
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92 /* \ */) escaped = true;
        else if (c === 34 /* " */) inString = false;
      } else if (c === 34) inString = true;
      else if (c === 123 /* { */ || c === 91 /* [ */) depth++;
      else if (c === 125 /* } */ || c === 93 /* ] */) {
        if (--depth === 0) return ++i;
      }
    }
    return -1;
  };
}

/**
 * A reader of what a socket sends back, called each time more has come: only the new text is scanned, each message
 * is parsed once, a message the server sends on its own (a notification, an echo) is passed over. The reply to
 * request `id` once it is whole, 'not json' for text that is not, undefined until then.
 */
export function rpcReader(id = 0): (received: string) => RpcReply | 'not json' | undefined {
  let scan = jsonScanner();
  let at = 0;
  type Message = { id?: unknown; result?: unknown; error?: unknown; method?: unknown } | null;
  // our reply, or undefined for a message the server sent on its own
  const replyOf = (m: Message): RpcReply | undefined =>
    m !== null && typeof m === 'object' && m.id === id && m.method === undefined ? { result: m.result, error: m.error ?? null } : undefined;
  return (received) => {
    // Most often all that is new is one whole message: JSON.parse finds that at native speed, where the scanner
    // walks it a character at a time. Anything else (a part, two messages) fails to parse and goes to the scanner.
    if (received.length > at && received.charCodeAt(received.length - 1) === 125 /* } */) {
      let m: Message | undefined;
      try {
        m = JSON.parse(at ? received.slice(at) : received);
      } catch {}
      if (m !== undefined) {
        at = received.length;
        scan = jsonScanner(at);
        return replyOf(m);
      }
    }
    for (;;) {
      const end = scan(received);
      if (end < 0) return undefined;
      let m: Message;
      try {
        m = JSON.parse(received.slice(at, end));
      } catch {
        return 'not json';
      }
      at = end;
      const reply = replyOf(m);
      if (reply) return reply;
    }
  };
}
