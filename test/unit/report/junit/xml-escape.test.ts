import { describe, expect, it } from 'vitest';

import { xmlAttribute, xmlText } from '../../../../src/report/junit/xml-escape.js';

describe('XML escaping', () => {
  it('escapes markup in text, so no ]]> or tag can appear', () => {
    expect(xmlText('a < b && c > d ]]> <x/>')).toBe('a &lt; b &amp;&amp; c &gt; d ]]&gt; &lt;x/&gt;');
  });

  it('keeps line breaks and tabs in text, and a carriage return as a reference', () => {
    expect(xmlText('one\n\ttwo\r\nthree')).toBe('one\n\ttwo&#13;\nthree');
  });

  it('escapes quotes and every whitespace but the space in attributes', () => {
    expect(xmlAttribute(`say "hi"\n\tand\r'bye' & <go>`)).toBe('say &quot;hi&quot;&#10;&#9;and&#13;\'bye\' &amp; &lt;go&gt;');
  });

  it('shows characters XML 1.0 cannot carry as #xNN, as pytest does', () => {
    expect(xmlText('nul\u0000 bell\u0007 esc\u001b[31m vt\u000b ff\u000c')).toBe('nul#x00 bell#x07 esc#x1B[31m vt#x0B ff#x0C');
    expect(xmlAttribute('\u0001\uFFFE\uFFFF')).toBe('#x01#xFFFE#xFFFF');
  });

  it('replaces lone surrogates but keeps pairs (characters beyond the BMP)', () => {
    expect(xmlText('pair 😀 lone \uD800 and \uDC00 end')).toBe('pair 😀 lone #xD800 and #xDC00 end');
  });

  it('keeps DEL and the other characters XML 1.0 allows', () => {
    expect(xmlText('\u007f é ✓ \uE000 \uFFFD')).toBe('\u007f é ✓ \uE000 \uFFFD');
  });
});
