/**
 * Text from outside (test ids, messages, titles, image names) as a Markdown code span: nothing
 * in it is markup, a link, an autolinked URL, an `@mention` or an `#issue` reference, on GitHub
 * or in any CommonMark renderer. Whitespace runs become one space (a cell is one line); the fence
 * is one backtick longer than any run inside, padded when the text starts or ends with one.
 * A `|` is escaped, which GFM tables require even inside code spans (the backslash is removed).
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '';
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat.replaceAll('|', '\\|')}${pad}${fence}`;
}

/** One row of a GFM table. */
export function tableRow(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** A command or other text from outside as a fenced code block: the fence is longer than any backtick run inside. */
export function codeBlock(text: string): string[] {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return [fence, text, fence];
}
