/**
 * Escaping for the HTML report. Log values are attacker-controlled: they reach the page only as
 * JSON inside a data block (escaped here so it cannot close its tag) or as escaped text.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text or attribute value → HTML-safe text. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

const JSON_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON for a `<script type="application/json">` block: `<`, `>`, `&`, U+2028 and U+2029 become
 * \uXXXX escapes, so no `</script`, `<!--` or `<script` can appear and end or re-open the tag.
 * JSON.parse reads the escapes back as the same characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => JSON_ESCAPES[c] as string);
}

/**
 * JavaScript source for an inline `<script>`. `</script` inside a string or regular expression
 * would end the element early: `<\/script` means the same to JavaScript. `<!--` and `<script`
 * switch the HTML parser into states that no rewrite makes safe in every JavaScript context, so a
 * source holding them (or NUL, which the parser replaces) is refused (none of the inlined libraries does; a test checks it).
 * Line endings are normalised as the HTML parser does, so a CSP hash of the result matches.
 */
export function inlineScriptText(source: string, name: string): string {
  const text = source
    .replace(/\r\n?/g, '\n')
    .replace(/^\/\/# sourceMappingURL=.*$/gm, '')
    .replace(/<\/(script)/gi, '<\\/$1');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the parser replaces NUL, which would break the hash
  if (/<!--|<script|\u0000/i.test(text))
    throw new Error(`${name}: cannot be inlined safely (holds <!--, <script or NUL)`);
  return text;
}
