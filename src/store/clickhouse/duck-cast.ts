/*
 * DuckDB's text conversions, in TypeScript, for the engines that cannot run DuckDB's import SQL.
 *
 * The DuckDB import (src/store/duckdb/import-sql.ts) is the reference for what a raw value means:
 * `trim`, `TRY_CAST(… AS DOUBLE)`, `TRY_CAST(… AS TIMESTAMPTZ)` then `epoch(…)`, `lower`, `left`.
 * These functions reproduce that behaviour; test/clickhouse-convert.test.ts checks them value by value
 * against DuckDB itself. Known differences (documented there, tested as such): a time-zone *name*
 * after a timestamp ("… Europe/Berlin", "… PST") needs ICU's zone database, so only UTC/GMT are
 * understood here and other names make the value invalid; DuckDB's special date words other than
 * `epoch`/`infinity` are not recognised.
 */

/** DuckDB's `trim`/`ltrim` remove Unicode space separators (category Zs) only — not tabs or newlines. */
const ZS_EDGES = /^\p{Zs}+|\p{Zs}+$/gu;
const ZS_START = /^\p{Zs}+/u;

function plainEdge(c: number): boolean {
  // Printable ASCII other than the space, or any C0 control / DEL: never Zs.
  return (c > 0x20 && c < 0x7f) || c < 0x20 || c === 0x7f;
}

export function duckTrim(s: string): string {
  if (s.length === 0) return s;
  if (plainEdge(s.charCodeAt(0)) && plainEdge(s.charCodeAt(s.length - 1))) return s;
  return s.replace(ZS_EDGES, '');
}

export function duckLtrim(s: string): string {
  if (s.length === 0 || plainEdge(s.charCodeAt(0))) return s;
  return s.replace(ZS_START, '');
}

/** DuckDB's StringUtil::CharacterIsSpace: the ASCII white space a cast skips around a value. */
function isCastSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function stripCastSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isCastSpace(s.charCodeAt(a))) a++;
  while (b > a && isCastSpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

// Digits may be grouped with single underscores between digits ("1_000").
const DIGITS = '[0-9](?:_?[0-9])*';
const DECIMAL = new RegExp(`^[+-]?(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`);
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;
const SIMPLE_INT = /^[0-9]{1,15}$/;

/** `TRY_CAST(s AS DOUBLE)`: null when the text is not a number; NaN and ±Infinity are numbers. */
export function duckDouble(text: string): number | null {
  if (SIMPLE_INT.test(text)) return Number(text);
  const s = stripCastSpace(text);
  if (DECIMAL.test(s)) return Number(s.includes('_') ? s.replace(/_/g, '') : s);
  const special = SPECIAL.exec(s);
  if (special) {
    if ((special[2] as string).toLowerCase() === 'nan') return Number.NaN;
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return null;
}

const MICROS_PER_DAY = 86_400_000_000;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// DuckDB's timestamp limits: 290309-12-22 (BC) .. 294247-01-10 04:00:54.775806.
const MIN_MICROS = -9223372022400000000n;
const MAX_MICROS = 9223372036854775806n;

// date [T|space hh:mm[:ss[.frac][Z | ±hh[:mm[:ss]] | space zone]]] with DuckDB's separators and
// widths; an offset or zone is only read after the seconds.
const TIMESTAMP =
  /^[\t\n\v\f\r ]*(-?)([0-9]+)([-/\\ ])([0-9]{1,2})\3([0-9]{1,2})(?:[ T]([0-9]{1,9}):([0-9]{1,2})(?::([0-9]{1,2})(?:\.([0-9]*))?(?:(Z)|([+-])([0-9]{2})(?::?([0-9]{2}))?(?::?([0-9]{2}))?| (UTC|GMT|utc|gmt|Etc\/UTC))?)?)?[\t\n\v\f\r ]*$/;

/**
 * `epoch(TRY_CAST(s AS TIMESTAMPTZ))` with the session time zone UTC: epoch seconds, or null when
 * DuckDB would give NULL (not a timestamp, or ±infinity).
 */
export function duckEpoch(text: string): number | null {
  const m = TIMESTAMP.exec(text);
  if (!m) {
    const word = stripCastSpace(text).toLowerCase();
    if (word === 'epoch') return 0;
    return null;
  }
  const yearDigits = m[2] as string;
  if (yearDigits.length > 9) return null;
  let year = Number(yearDigits);
  if (m[1] === '-') year = -year;
  const month = Number(m[4]);
  const day = Number(m[5]);
  if (month < 1 || month > 12) return null;
  const dim = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day < 1 || day > dim) return null;
  let timeMicros = 0;
  if (m[6] !== undefined) {
    const hour = Number(m[6]);
    const minute = Number(m[7]);
    const second = m[8] === undefined ? 0 : Number(m[8]);
    if (minute >= 60 || second >= 60) return null;
    const fraction = m[9] ?? '';
    const micros = fraction === '' ? 0 : Number(fraction.slice(0, 6).padEnd(6, '0'));
    timeMicros = ((hour * 60 + minute) * 60 + second) * 1_000_000 + micros;
    if (timeMicros > MICROS_PER_DAY) return null;
  }
  let offsetSeconds = 0;
  if (m[11] !== undefined) {
    const hh = Number(m[12]);
    const mm = m[13] === undefined ? 0 : Number(m[13]);
    const ss = m[14] === undefined ? 0 : Number(m[14]);
    if (hh >= 100 || mm >= 60 || ss >= 60) return null;
    offsetSeconds = (m[11] === '-' ? -1 : 1) * (hh * 3600 + mm * 60 + ss);
  }
  const days = daysFromCivil(year, month, day);
  const micros = BigInt(days) * 86_400_000_000n + BigInt(timeMicros) - BigInt(offsetSeconds) * 1_000_000n;
  if (micros < MIN_MICROS || micros > MAX_MICROS) return null;
  return epochOfMicros(micros);
}

/** DuckDB's epoch(): whole seconds plus the microsecond remainder (C++ division, toward zero). */
function epochOfMicros(micros: bigint): number {
  const seconds = micros / 1_000_000n;
  return Number(seconds) + Number(micros - seconds * 1_000_000n) / 1_000_000;
}

/**
 * DuckDB's `lower`: the simple (one code point to one code point) lower-case mapping. JavaScript's
 * toLowerCase applies the full mapping (İ → i̇) and the final-sigma rule (ΣΑΣ → σας); DuckDB does not.
 */
export function duckLower(s: string): string {
  let ascii = true;
  for (let i = 0; i < s.length && ascii; i++) ascii = s.charCodeAt(i) < 0x80;
  if (ascii) return s.toLowerCase();
  let out = '';
  for (const ch of s) out += ch === '\u0130' ? 'i' : ch.toLowerCase();
  return out;
}

/** DuckDB's `left(s, n)`: the first n characters (code points). */
export function duckLeft(s: string, n: number): string {
  if (s.length <= n) return s;
  // Fast path: no surrogate pairs in the first n units means code units = code points.
  let units = 0;
  let points = 0;
  while (units < s.length && points < n) {
    const c = s.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < s.length ? 2 : 1;
    points++;
  }
  return s.slice(0, units);
}

/** `TRY_CAST(s AS BIGINT)` for DuckDB's `0x` hexadecimal spelling, as a double; null otherwise. */
export function duckHexInteger(text: string): number | null {
  const s = stripCastSpace(text);
  const m = /^0[xX]([0-9a-fA-F](?:_?[0-9a-fA-F])*)$/.exec(s);
  if (!m) return null;
  const digits = (m[1] as string).replace(/_/g, '').replace(/^0+/, '');
  if (digits.length > 16) return null;
  const v = BigInt(`0x${digits || '0'}`);
  return v > 9223372036854775807n ? null : Number(v);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** strptime directives the JS import understands (DuckDB knows more; others are refused up front). */
const STRPTIME_DIRECTIVES = new Set([
  'Y',
  'y',
  'm',
  'd',
  'e',
  'H',
  'I',
  'M',
  'S',
  'f',
  'p',
  'b',
  'B',
  'h',
  'z',
  'j',
  '%',
]);

export class UnsupportedTimeFormat extends Error {
  override name = 'UnsupportedTimeFormat';
}

/**
 * `epoch(try_strptime(s, format))` for the common directives (%Y %y %m %d %e %H %I %M %S %f %p
 * %b %B %h %z %j %%); a format with any other directive throws UnsupportedTimeFormat when compiled.
 */
export function compileStrptime(format: string): (text: string) => number | null {
  const parts: ({ lit: string } | { dir: string })[] = [];
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    if (c === '%') {
      const d = format[++i];
      if (d === undefined || !STRPTIME_DIRECTIVES.has(d)) {
        throw new UnsupportedTimeFormat(`time format directive %${d ?? ''} is not supported by this engine`);
      }
      parts.push(d === '%' ? { lit: '%' } : { dir: d });
    } else parts.push({ lit: c });
  }
  return (text: string) => {
    let pos = 0;
    let year = 1900;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let micros = 0;
    let pm: boolean | undefined;
    let offset = 0;
    let yday: number | undefined;
    const digits = (min: number, max: number): number | null => {
      let n = 0;
      let k = 0;
      while (k < max && pos < text.length) {
        const c = text.charCodeAt(pos);
        if (c < 48 || c > 57) break;
        n = n * 10 + (c - 48);
        pos++;
        k++;
      }
      return k < min ? null : n;
    };
    for (const part of parts) {
      if ('lit' in part) {
        if (part.lit === ' ') {
          // white space in the format matches any run of white space (also none)
          while (pos < text.length && isCastSpace(text.charCodeAt(pos))) pos++;
          continue;
        }
        if (text[pos] !== part.lit) return null;
        pos++;
        continue;
      }
      let v: number | null;
      switch (part.dir) {
        case 'Y':
          v = digits(1, 4);
          if (v === null) return null;
          year = v;
          break;
        case 'y':
          v = digits(1, 2);
          if (v === null) return null;
          year = v < 69 ? 2000 + v : 1900 + v;
          break;
        case 'm':
          v = digits(1, 2);
          if (v === null) return null;
          month = v;
          break;
        case 'd':
        case 'e':
          v = digits(1, 2);
          if (v === null) return null;
          day = v;
          break;
        case 'H':
        case 'I':
          v = digits(1, 2);
          if (v === null) return null;
          hour = v;
          break;
        case 'M':
          v = digits(1, 2);
          if (v === null) return null;
          minute = v;
          break;
        case 'S':
          v = digits(1, 2);
          if (v === null) return null;
          second = v;
          break;
        case 'f': {
          const start = pos;
          v = digits(1, 6);
          if (v === null) return null;
          micros = v * 10 ** (6 - (pos - start));
          break;
        }
        case 'j':
          v = digits(1, 3);
          if (v === null) return null;
          yday = v;
          break;
        case 'p': {
          const word = text.slice(pos, pos + 2).toUpperCase();
          if (word !== 'AM' && word !== 'PM') return null;
          pm = word === 'PM';
          pos += 2;
          break;
        }
        case 'b':
        case 'h':
        case 'B': {
          const rest = text.slice(pos).toLowerCase();
          let found = -1;
          let length = 0;
          MONTH_NAMES.forEach((name, i) => {
            if (found < 0 && rest.startsWith(name)) {
              found = i;
              length = name.length;
            }
          });
          if (found < 0) {
            MONTHS.forEach((name, i) => {
              if (found < 0 && rest.startsWith(name)) {
                found = i;
                length = name.length;
              }
            });
          }
          if (found < 0) return null;
          month = found + 1;
          pos += length;
          break;
        }
        case 'z': {
          if (text[pos] === 'Z') {
            pos++;
            break;
          }
          const m = /^([+-])([0-9]{2}):?([0-9]{2})?/.exec(text.slice(pos));
          if (!m) return null;
          offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60);
          pos += m[0].length;
          break;
        }
      }
    }
    if (pos !== text.length) return null;
    if (pm !== undefined) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (pm ? 12 : 0);
    }
    if (yday !== undefined) {
      const days = isLeap(year) ? 366 : 365;
      if (yday < 1 || yday > days) return null;
      const base = daysFromCivil(year, 1, 1) + yday - 1;
      return base * 86400 + hour * 3600 + minute * 60 + second - offset + micros / 1e6;
    }
    if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
    const dim = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
    if (day < 1 || day > dim) return null;
    const total =
      BigInt(daysFromCivil(year, month, day)) * 86_400_000_000n +
      BigInt(((hour * 60 + minute) * 60 + second) * 1_000_000 + micros) -
      BigInt(offset) * 1_000_000n;
    return epochOfMicros(total);
  };
}
