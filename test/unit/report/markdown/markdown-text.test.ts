import { describe, expect, it } from 'vitest';

import { codeSpan } from '../../../../src/report/markdown/markdown-text.js';

describe('codeSpan', () => {
  it('wraps text in backticks', () => {
    expect(codeSpan('tests/x.py::test_a[<b>]')).toBe('`tests/x.py::test_a[<b>]`');
  });

  it('uses a fence longer than any backtick run inside, padded where the text starts or ends with one', () => {
    expect(codeSpan('a `b` c')).toBe('``a `b` c``');
    expect(codeSpan('``x`')).toBe('``` ``x` ```');
  });

  it('escapes pipes for GFM tables and flattens line breaks', () => {
    expect(codeSpan('a | b\n  c\r\nd')).toBe('`a \\| b c d`');
  });

  it('gives nothing for empty text (an empty code span would print its backticks)', () => {
    expect(codeSpan(' \n ')).toBe('');
  });
});
