/*
 * One JSON line → the raw text of the columns a JSON-lines plan asks for, exactly as DuckDB's
 * `json_valid(line)` and `json_extract_string(line, '$."a"."b"')` give them (DuckDB reads JSON with
 * yyjson, allowing NaN/Infinity literals and trailing commas, keeping numbers too large for 64 bits as
 * their text, and taking the first of duplicated keys). JSON.parse differs on each of these, so the
 * line is scanned here. Checked against DuckDB in test/clickhouse-reader.test.ts.
 */

type JsonValue =
  | { t: 's'; v: string }
  | { t: 'n'; raw: string }
  | { t: 'l'; raw: string }
  | { t: 'o'; v: Map<string, JsonValue>; keys: [string, JsonValue][] }
  | { t: 'a'; v: JsonValue[] };

class Invalid extends Error {}

const INVALID = new Invalid();

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

class Scanner {
  pos = 0;
  constructor(private readonly s: string) {}

  ws(): void {
    const s = this.s;
    while (this.pos < s.length && isWs(s.charCodeAt(this.pos))) this.pos++;
  }

  value(depth: number): JsonValue {
    if (depth > 1000) throw INVALID;
    this.ws();
    const s = this.s;
    const c = s.charCodeAt(this.pos);
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x22) return { t: 's', v: this.string() };
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.literal();
  }

  object(depth: number): JsonValue {
    const s = this.s;
    this.pos++;
    const map = new Map<string, JsonValue>();
    const keys: [string, JsonValue][] = [];
    this.ws();
    if (s.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return { t: 'o', v: map, keys };
    }
    for (;;) {
      this.ws();
      if (s.charCodeAt(this.pos) !== 0x22) throw INVALID;
      const key = this.string();
      this.ws();
      if (s.charCodeAt(this.pos) !== 0x3a) throw INVALID;
      this.pos++;
      const v = this.value(depth + 1);
      if (!map.has(key)) map.set(key, v);
      keys.push([key, v]);
      this.ws();
      const c = s.charCodeAt(this.pos);
      if (c === 0x7d) {
        this.pos++;
        return { t: 'o', v: map, keys };
      }
      if (c !== 0x2c) throw INVALID;
      this.pos++;
      this.ws();
      // trailing comma: `{"a":1,}`
      if (s.charCodeAt(this.pos) === 0x7d) {
        this.pos++;
        return { t: 'o', v: map, keys };
      }
    }
  }

  array(depth: number): JsonValue {
    const s = this.s;
    this.pos++;
    const items: JsonValue[] = [];
    this.ws();
    if (s.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return { t: 'a', v: items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.ws();
      const c = s.charCodeAt(this.pos);
      if (c === 0x5d) {
        this.pos++;
        return { t: 'a', v: items };
      }
      if (c !== 0x2c) throw INVALID;
      this.pos++;
      this.ws();
      if (s.charCodeAt(this.pos) === 0x5d) {
        this.pos++;
        return { t: 'a', v: items };
      }
    }
  }

  string(): string {
    const s = this.s;
    let i = this.pos + 1;
    const start = i;
    // fast path: no escapes
    for (;;) {
      if (i >= s.length) throw INVALID;
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return s.slice(start, i);
      }
      if (c === 0x5c) break;
      if (c < 0x20) throw INVALID;
      i++;
    }
    let out = s.slice(start, i);
    for (;;) {
      if (i >= s.length) throw INVALID;
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return out;
      }
      if (c < 0x20) throw INVALID;
      if (c !== 0x5c) {
        out += s[i];
        i++;
        continue;
      }
      const e = s[i + 1];
      i += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hi = hex4(s, i);
          i += 4;
          if (hi >= 0xdc00 && hi <= 0xdfff) throw INVALID;
          if (hi >= 0xd800 && hi <= 0xdbff) {
            if (s[i] !== '\\' || s[i + 1] !== 'u') throw INVALID;
            const lo = hex4(s, i + 2);
            if (lo < 0xdc00 || lo > 0xdfff) throw INVALID;
            i += 6;
            out += String.fromCharCode(hi, lo);
          } else out += String.fromCharCode(hi);
          break;
        }
        default:
          throw INVALID;
      }
    }
  }

  number(): JsonValue {
    const s = this.s;
    const start = this.pos;
    let i = start;
    if (s.charCodeAt(i) === 0x2d) i++;
    const c0 = s.charCodeAt(i);
    if (!(c0 >= 0x30 && c0 <= 0x39)) {
      // -Infinity, -NaN
      this.pos = i;
      const lit = this.special();
      if (!lit) throw INVALID;
      return { t: 'n', raw: s.slice(start, this.pos) };
    }
    if (c0 === 0x30) {
      i++;
      const next = s.charCodeAt(i);
      if (next >= 0x30 && next <= 0x39) throw INVALID; // leading zero
    } else while (isDigit(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) === 0x2e) {
      i++;
      if (!isDigit(s.charCodeAt(i))) throw INVALID;
      while (isDigit(s.charCodeAt(i))) i++;
    }
    const e = s.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const sign = s.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      if (!isDigit(s.charCodeAt(i))) throw INVALID;
      while (isDigit(s.charCodeAt(i))) i++;
    }
    this.pos = i;
    return { t: 'n', raw: s.slice(start, i) };
  }

  /** nan, inf, infinity in any case (yyjson's ALLOW_INF_AND_NAN). */
  special(): boolean {
    const rest = this.s.slice(this.pos, this.pos + 8).toLowerCase();
    if (rest.startsWith('infinity')) this.pos += 8;
    else if (rest.startsWith('inf') || rest.startsWith('nan')) this.pos += 3;
    else return false;
    return true;
  }

  literal(): JsonValue {
    const s = this.s;
    for (const word of ['true', 'false', 'null']) {
      if (s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return { t: 'l', raw: word };
      }
    }
    const start = this.pos;
    if (this.special()) return { t: 'n', raw: s.slice(start, this.pos) };
    throw INVALID;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function hex4(s: string, i: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const c = s.charCodeAt(i + k);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else throw INVALID;
    v = v * 16 + d;
  }
  return v;
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** How yyjson writes a number back (DuckDB's json_extract_string of a number). */
function numberText(raw: string): string {
  const c = raw.charCodeAt(raw[0] === '-' ? 1 : 0);
  if (!isDigit(c)) return raw; // NaN / Infinity literals: kept as written
  if (!/[.eE]/.test(raw)) {
    const v = BigInt(raw);
    if (v < INT64_MIN || v > UINT64_MAX) return raw; // too large for 64 bits: kept as text
    return v.toString();
  }
  const x = Number(raw);
  if (!Number.isFinite(x)) return raw;
  if (Object.is(x, -0)) return '-0.0';
  let text = String(x).replace('e+', 'e');
  if (!/[.e]/.test(text)) text += '.0';
  return text;
}

function quoteJson(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return `${out}"`;
}

/** yyjson's minified writer, for objects and arrays extracted as text. */
function writeJson(v: JsonValue): string {
  switch (v.t) {
    case 's':
      return quoteJson(v.v);
    case 'n':
      return numberText(v.raw);
    case 'l':
      return v.raw;
    case 'a':
      return `[${v.v.map(writeJson).join(',')}]`;
    case 'o':
      return `{${v.keys.map(([k, x]) => `${quoteJson(k)}:${writeJson(x)}`).join(',')}}`;
  }
}

function extractText(v: JsonValue | undefined): string | null {
  if (v === undefined) return null;
  switch (v.t) {
    case 's':
      return v.v;
    case 'n':
      return numberText(v.raw);
    case 'l':
      return v.raw === 'null' ? null : v.raw;
    default:
      return writeJson(v);
  }
}

/**
 * Parse one JSON line. `ok` is false when DuckDB's import would call it invalid JSON (not valid, or
 * not an object); `values[i]` is the text at `paths[i]` (null when absent or JSON null).
 */
export function extractJsonLine(
  line: string,
  paths: readonly (readonly string[])[],
  startsWithBrace: boolean,
): { ok: boolean; values: (string | null)[] } {
  if (!startsWithBrace) return { ok: false, values: [] };
  let root: JsonValue;
  try {
    const scanner = new Scanner(line);
    root = scanner.value(0);
    scanner.ws();
    if (scanner.pos !== line.length) return { ok: false, values: [] };
  } catch (err) {
    if (err instanceof Invalid || err instanceof RangeError) return { ok: false, values: [] };
    throw err;
  }
  const values = paths.map((path) => {
    let v: JsonValue | undefined = root;
    for (const key of path) {
      if (v === undefined || v.t !== 'o') return null;
      v = v.v.get(key);
    }
    return extractText(v);
  });
  return { ok: true, values };
}
