/**
 * echarts-gl compiles the sizes of its post-processing buffers ("expr(width * 1.0 / 2)") with
 * `new Function`, which the report's Content-Security-Policy forbids (no 'unsafe-eval'). The
 * inlined copy is patched to use this small evaluator instead: arithmetic (+ - * /, parentheses,
 * [a, b] lists) over numbers and the names width, height and dpr; anything else throws, as the
 * original does for an invalid expression.
 */
export const GL_EXPRESSION_EVALUATOR = String.raw`(function (src) {
  var tokens = src.match(/\d+(?:\.\d*)?|\.\d+|[A-Za-z_]\w*|[-+*\/(),\[\]]/g) || [];
  if (tokens.join('') !== src.replace(/\s+/g, '')) throw new Error('Invalid expression.');
  var pos = 0;
  function binary(op, a, b) {
    if (op === '+') return function (v) { return a(v) + b(v); };
    if (op === '-') return function (v) { return a(v) - b(v); };
    if (op === '*') return function (v) { return a(v) * b(v); };
    return function (v) { return a(v) / b(v); };
  }
  function primary() {
    var t = tokens[pos++];
    if (t === '(') { var inner = sum(); if (tokens[pos++] !== ')') throw new Error('Invalid expression.'); return inner; }
    if (t === '[') {
      var items = [];
      if (tokens[pos] !== ']') { items.push(sum()); while (tokens[pos] === ',') { pos++; items.push(sum()); } }
      if (tokens[pos++] !== ']') throw new Error('Invalid expression.');
      return function (v) { return items.map(function (f) { return f(v); }); };
    }
    if (t === '-') { var negated = primary(); return function (v) { return -negated(v); }; }
    if (t !== undefined && /^[\d.]/.test(t)) { var n = Number(t); return function () { return n; }; }
    if (t === 'width' || t === 'height' || t === 'dpr') return function (v) { return v[t]; };
    throw new Error('Invalid expression.');
  }
  function product() {
    var left = primary();
    while (tokens[pos] === '*' || tokens[pos] === '/') { var op = tokens[pos++]; left = binary(op, left, primary()); }
    return left;
  }
  function sum() {
    var left = product();
    while (tokens[pos] === '+' || tokens[pos] === '-') { var op = tokens[pos++]; left = binary(op, left, product()); }
    return left;
  }
  var expr = sum();
  if (pos !== tokens.length) throw new Error('Invalid expression.');
  return function (width, height, dpr) { return expr({ width: width, height: height, dpr: dpr }); };
})`;

const NEW_FUNCTION = /new Function\("width","height","dpr","return "\+(\w+)\[1\]\)/g;

/** echarts-gl's text with its one use of `new Function` replaced; `patched` is false if not found. */
export function patchEchartsGl(source: string): { text: string; patched: boolean } {
  let patched = false;
  const text = source.replace(NEW_FUNCTION, (_, match: string) => {
    patched = true;
    return `${GL_EXPRESSION_EVALUATOR}(${match}[1])`;
  });
  return { text, patched };
}
