const NOT_LITERAL = Symbol('not a literal');

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"', '\n': '' };

const NUMBER =
  /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?|\d[\d_]*[eE][+-]?\d+|[1-9][\d_]*|0+)/;

// Python's names only: as ansible-core (ast.literal_eval), `flag=true` in an INI file is the string "true"
const NAMES: Record<string, unknown> = { True: true, False: false, None: null };

class Reader {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  value(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === '"' || c === "'") return this.string(c);
    if (c === '[') return this.seq(']');
    if (c === '(') return this.seq(')');
    if (c === '{') return this.dict();
    const name = /^[A-Za-z_]\w*/.exec(this.s.slice(this.i));
    if (name) {
      if (!(name[0] in NAMES)) throw NOT_LITERAL;
      this.i += name[0].length;
      return NAMES[name[0]];
    }
    return this.number();
  }

  private number(): number {
    const m = NUMBER.exec(this.s.slice(this.i));
    if (!m || !/\d/.test(m[0])) throw NOT_LITERAL;
    this.i += m[0].length;
    const text = m[0].replace(/_/g, '');
    const sign = text.startsWith('-') ? -1 : 1;
    const body = text.replace(/^[+-]/, '');
    if (/^0[oO]/.test(body)) return sign * Number.parseInt(body.slice(2), 8);
    const n = Number(body);
    if (Number.isNaN(n)) throw NOT_LITERAL;
    return sign * n;
  }

  private string(quote: string): string {
    let out = '';
    for (this.i++; this.i < this.s.length; this.i++) {
      const c = this.s[this.i];
      if (c === quote) {
        this.i++;
        return out;
      }
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[++this.i];
      const hex = e === 'x' ? 2 : e === 'u' ? 4 : 0;
      if (hex) {
        const code = this.s.slice(this.i + 1, this.i + 1 + hex);
        if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(code)) throw NOT_LITERAL;
        out += String.fromCharCode(Number.parseInt(code, 16));
        this.i += hex;
      } else {
        out += e in ESCAPES ? ESCAPES[e] : `\\${e}`;
      }
    }
    throw NOT_LITERAL;
  }

  private items(close: string, item: () => void): void {
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) break;
      item();
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) throw NOT_LITERAL;
    }
    this.i++;
  }

  private seq(close: string): unknown {
    const out: unknown[] = [];
    const start = this.i;
    this.items(close, () => out.push(this.value()));
    const single = close === ')' && out.length === 1 && !this.s.slice(start, this.i).trimEnd().slice(0, -1).trimEnd().endsWith(',');
    return single ? out[0] : out;
  }

  private dict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.items('}', () => {
      const key = this.value();
      this.ws();
      if (this.s[this.i++] !== ':') throw NOT_LITERAL;
      out[typeof key === 'string' ? key : JSON.stringify(key)] = this.value();
    });
    return out;
  }
}

// INI values are Python literals in Ansible (`5`, `'x'`, `[1, 2]`, `True`); we also read `true`/`false`/`null`.
export function parseIniValue(raw: string, fallback: string = raw): unknown {
  const r = new Reader(raw.trim());
  try {
    const v = r.value();
    r.ws();
    return r.i === r.s.length ? v : fallback;
  } catch (e) {
    if (e === NOT_LITERAL) return fallback;
    throw e;
  }
}
