// XML 1.0 allows only #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]; with
// the `u` flag a lone surrogate is one code point outside those ranges, so it is caught too.
const INVALID_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Characters XML 1.0 cannot carry at all (not even as `&#…;`) shown visibly instead, as pytest's
 * own junitxml does: a NUL becomes `#x00`, an escape `#x1B`, a lone surrogate `#xD800`.
 */
function visible(text: string): string {
  return text.replace(INVALID_XML_CHAR, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return `#x${code.toString(16).toUpperCase().padStart(code <= 0xff ? 2 : 4, '0')}`;
  });
}

/** Element content. `>` is escaped too, so `]]>` cannot appear; `\r` as a reference, so parsers keep it. */
export function xmlText(text: string): string {
  return visible(text).replace(/[&<>\r]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : '&#13;'));
}

const ATTRIBUTE_REFS: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** A double-quoted attribute value; tabs and line breaks as references, which attribute normalisation would otherwise turn into spaces. */
export function xmlAttribute(text: string): string {
  return visible(text).replace(/[&<>"\t\n\r]/g, (ch) => ATTRIBUTE_REFS[ch] ?? ch);
}
