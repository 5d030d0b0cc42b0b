import { writeSweepJunitFile } from '../report/junit/sweep-junit.js';
import { githubAnnotations } from '../report/markdown/github-annotations.js';
import { appendStepSummary } from '../report/markdown/step-summary.js';
import { type MarkdownOptions, renderMarkdownSummary } from '../report/markdown/sweep-markdown.js';
import type { SweepSummary } from '../report/summary-types.js';
import type { OutputSettings } from '../sweep/sweep-config.js';

/**
 * What a finished sweep hands to the tools around it: the JUnit file (`--junit`), a Markdown summary
 * appended to $GITHUB_STEP_SUMMARY when CI sets it, and `::error` annotations (`--annotations
 * github`). Run on every ending, Ctrl-C and stop limits too: all of it is rebuilt from the folder.
 */
export async function publishResults(
  dir: string,
  summary: SweepSummary,
  output: Pick<OutputSettings, 'junit' | 'annotations'>,
  // With --json, stdout holds one JSON document: annotations then go to stderr.
  annotationStream: NodeJS.WritableStream = process.stdout,
  /** How the step summary is written (a hunt's commands to run next). */
  markdown: MarkdownOptions = {},
): Promise<string[]> {
  const notes: string[] = [];
  if (output.junit !== null) {
    await writeSweepJunitFile(dir, output.junit);
    notes.push(`JUnit XML: ${output.junit}`);
  }
  if (await appendStepSummary(renderMarkdownSummary(summary, markdown))) notes.push('step summary appended to $GITHUB_STEP_SUMMARY');
  if (output.annotations === 'github') for (const line of githubAnnotations(summary)) annotationStream.write(`${line}\n`);
  return notes;
}
