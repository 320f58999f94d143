// JSON-RPC 1.0 as OVSDB speaks it (RFC 7047 §4): one request on a socket, and its reply found in what came back.
// Written here: the messages are JSON values one after another with no delimiter, so the end of one is found by
// counting brackets outside strings (a few lines; no library frames this).

export interface RpcReply {
  result: unknown;
  error: unknown;
}

/** The request's text: method, params, id. */
export function rpcRequest(method: string, params: unknown[], id = 0): string {
  return JSON.stringify({ method, params, id });
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
  const scan = jsonScanner();
  let at = 0;
  return (received) => {
    for (;;) {
      const end = scan(received);
      if (end < 0) return undefined;
      let m: { id?: unknown; result?: unknown; error?: unknown; method?: unknown } | null;
      try {
        m = JSON.parse(received.slice(at, end));
      } catch {
        return 'not json';
      }
      at = end;
      if (m !== null && typeof m === 'object' && m.id === id && m.method === undefined) return { result: m.result, error: m.error ?? null };
    }
  };
}
