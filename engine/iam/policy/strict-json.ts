/**
 * A strict RFC 8259 reader for policy documents. JSON.parse would do, but it
 * keeps the last of two equal keys silently ({"Effect": "Deny", "Effect":
 * "Allow"} would allow) and its messages differ between Node versions. This
 * one refuses duplicate keys and says where a problem is, by line and column.
 * Objects come back with a null prototype, so a "__proto__" key is just a key.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
  /** Where the problem is, as an index into the text (an editor points at it). */
  readonly offset: number;

  constructor(message: string, offset = 0) {
    super(message);
    this.offset = offset;
  }
}

/**
 * Where each member of each parsed object or array starts in the text: for
 * an object, member name → index of the key's opening quote; for an array,
 * element index (as a string) → index of its first character. Filled only
 * when asked for, so that errors found after parsing can point at their line.
 */
export type JsonPositions = WeakMap<object, Map<string, number>>;

/** Line and column (1-based, in UTF-16 units as editors count them) of an index into `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return { line, column };
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Deeper than any sensible policy (which needs five levels), shallow enough for the stack. */
const MAX_DEPTH = 64;

export function parseStrictJson(text: string, positions?: JsonPositions): JsonValue {
  return new Reader(text, positions).document();
}

class Reader {
  private i = 0;

  constructor(
    private readonly s: string,
    private readonly positions?: JsonPositions,
  ) {}

  private note(container: object, member: string, at: number): void {
    if (!this.positions) return;
    let m = this.positions.get(container);
    if (!m) this.positions.set(container, (m = new Map()));
    m.set(member, at);
  }

  document(): JsonValue {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    this.space();
    if (this.i >= this.s.length) this.fail('the document is empty');
    const v = this.value(0);
    this.space();
    if (this.i < this.s.length) this.fail(`unexpected ${this.what()} after the end of the document`);
    return v;
  }

  private value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} levels deep`);
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    if (this.s.startsWith('true', this.i)) return this.word('true', true);
    if (this.s.startsWith('false', this.i)) return this.word('false', false);
    if (this.s.startsWith('null', this.i)) return this.word('null', null);
    return this.fail(`expected a value, found ${this.what()}`);
  }

  private object(depth: number): JsonObject {
    const start = this.i;
    this.i++;
    const out = Object.create(null) as JsonObject;
    this.space();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.s[this.i] !== '"') this.fail(`expected a "quoted" key, found ${this.what()}`);
      const keyAt = this.i;
      const key = this.string();
      if (Object.hasOwn(out, key)) this.fail(`duplicate key ${JSON.stringify(key)} in the object opened at ${this.where(start)}`, keyAt);
      this.note(out, key, keyAt);
      this.space();
      if (this.s[this.i] !== ':') this.fail(`expected ':' after the key ${JSON.stringify(key)}, found ${this.what()}`);
      this.i++;
      this.space();
      out[key] = this.value(depth + 1);
      this.space();
      const c = this.s[this.i];
      this.i++;
      if (c === '}') return out;
      if (c !== ',') this.fail(`expected ',' or '}' in the object opened at ${this.where(start)}, found ${this.what(this.i - 1)}`, this.i - 1);
    }
  }

  private array(depth: number): JsonValue[] {
    const start = this.i;
    this.i++;
    const out: JsonValue[] = [];
    this.space();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      this.space();
      this.note(out, String(out.length), this.i);
      out.push(this.value(depth + 1));
      this.space();
      const c = this.s[this.i];
      this.i++;
      if (c === ']') return out;
      if (c !== ',') this.fail(`expected ',' or ']' in the array opened at ${this.where(start)}, found ${this.what(this.i - 1)}`, this.i - 1);
    }
  }

  private string(): string {
    const start = this.i;
    this.i++;
    let out = '';
    let run = this.i;
    for (;;) {
      if (this.i >= this.s.length) this.fail('unterminated string', start);
      const c = this.s.charCodeAt(this.i);
      if (c === 0x22) {
        out += this.s.slice(run, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail('control character in a string (escape it)');
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += this.s.slice(run, this.i);
      const e = this.s[this.i + 1];
      if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
        out += ESCAPES[e];
        this.i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.s.slice(this.i + 2, this.i + 6))) {
        out += String.fromCharCode(parseInt(this.s.slice(this.i + 2, this.i + 6), 16));
        this.i += 6;
      } else {
        this.fail('bad escape in a string');
      }
      run = this.i;
    }
  }

  private number(): number {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.i;
    const found = m.exec(this.s);
    if (!found) this.fail('malformed number');
    const next = this.s[this.i + found[0].length];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) this.fail('malformed number');
    this.i += found[0].length;
    return Number(found[0]);
  }

  private word<T>(w: string, v: T): T {
    this.i += w.length;
    return v;
  }

  private space(): void {
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return;
      this.i++;
    }
  }

  private what(at = this.i): string {
    if (at >= this.s.length) return 'the end of the document';
    return JSON.stringify(String.fromCodePoint(this.s.codePointAt(at)!));
  }

  private where(at: number): string {
    const { line, column } = lineAndColumn(this.s, at);
    return `line ${line} column ${column}`;
  }

  private fail(message: string, at = this.i): never {
    throw new JsonSyntaxError(`${message} (${this.where(at)}, offset ${at})`, at);
  }
}
