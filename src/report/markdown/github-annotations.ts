import { formatInterval, formatPercent, truncate } from '../summary-text.js';
import type { SweepSummary } from '../summary-types.js';

/** Where a failing test is in the repository, as far as it is known. */
export interface TestLocation {
  file: string;
  line?: number;
}

export interface AnnotationOptions {
  /**
   * Where a test is. By default the file part of a pytest node id (`tests/x.py::test_a` →
   * `tests/x.py`, no line, since results record none); give this when the tests ran in a
   * sub-folder of the repository, or to add lines. Return null when not known: no annotation.
   */
  locate?: (test: string) => TestLocation | null;
  /** Lines at most; GitHub shows 10 error annotations per step. */
  max?: number;
}

const MAX_ANNOTATIONS = 10;
const MESSAGE_WIDTH = 400;

// GitHub's workflow-command escaping, exactly as @actions/core's command.ts does it: data escapes
// %, CR and LF; property values escape those and also ':' and ',' (which separate properties).
export function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** `::error file=…,line=…,title=…::message`; empty properties are left out, as @actions/core does. */
export function errorCommand(message: string, properties: Array<[string, string | number | undefined]>): string {
  const props = properties.filter(([, value]) => value !== undefined && value !== '').map(([key, value]) => `${key}=${escapeProperty(String(value))}`);
  return `::error${props.length > 0 ? ` ${props.join(',')}` : ''}::${escapeData(message)}`;
}

/** The file of a pytest node id, when it names one (`path/test_x.py::…`). */
export function nodeIdFile(test: string): TestLocation | null {
  const file = test.split('::')[0] ?? '';
  return test.includes('::') && /\.py$/.test(file) ? { file } : null;
}

/** `::error` workflow commands for the failing tests of a sweep whose location is known, most frequent first. */
export function githubAnnotations(summary: SweepSummary, options: AnnotationOptions = {}): string[] {
  const locate = options.locate ?? nodeIdFile;
  const lines: string[] = [];
  for (const t of summary.tests) {
    if (lines.length >= (options.max ?? MAX_ANNOTATIONS)) break;
    const where = locate(t.test);
    if (!where) continue;
    const rate = `${formatPercent(t.runs.rate)}, 95% CI ${formatInterval(t.runs)}`;
    const message = `${t.test} failed in ${t.runs.count} of ${t.runs.total} iterations (${rate}); classes ${t.classes.join(', ')}. First message: ${truncate(t.firstMessage, MESSAGE_WIDTH)}`;
    lines.push(errorCommand(message, [['file', where.file], ['line', where.line], ['title', `flaky test (flakehunt ${summary.info.name})`]]));
  }
  return lines;
}
