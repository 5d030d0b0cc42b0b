import { appendFile } from 'node:fs/promises';

/**
 * Appends Markdown to the file GitHub Actions names in GITHUB_STEP_SUMMARY (each step's summary is
 * what its steps appended; GitHub shows at most 1 MiB of it). Returns whether there was one.
 */
export async function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  await appendFile(file, markdown.endsWith('\n') ? `${markdown}\n` : `${markdown}\n\n`);
  return true;
}
