import { isVerdict, type IterationResult } from '../../core/result.js';
import { runName } from '../../store/layout.js';
import type { JunitCase, SignedFailure } from './iteration-cases.js';
import { xmlAttribute, xmlText } from './xml-escape.js';

/** What a suite says about where its iteration's files are. */
export interface SuitePaths {
  /** The console log of the iteration, as it should be shown (absolute, or relative to the JUnit file). */
  log: string;
}

/** `serial_fix13@run007`: the sweep, then the iteration, as nextest names stress sub-runs (`binary@stress-N`). */
export function suiteName(sweep: string, iteration: number): string {
  return `${sweep}@${runName(iteration)}`;
}

/** `2026-01-02T03:04:05`: UTC to the second, without a zone, as Ant and Surefire write it. */
function timestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '1970-01-01T00:00:00' : date.toISOString().slice(0, 19);
}

function seconds(value: number): string {
  return value.toFixed(3);
}

function attributes(pairs: Array<[string, string | number | null]>): string {
  return pairs
    .filter((pair): pair is [string, string | number] => pair[1] !== null)
    .map(([key, value]) => ` ${key}="${xmlAttribute(String(value))}"`)
    .join('');
}

/** The failure element's text: what a reader of one failure needs, the log's path last. */
function failureText(failure: SignedFailure, pytestMessage: string | undefined, log: string): string {
  const lines = [`class: ${failure.class}`];
  if (failure.signature) lines.push(`signature: ${failure.signature}`);
  lines.push(`message: ${failure.message}`);
  if (failure.signatureText) lines.push(`normalised: ${failure.signatureText}`);
  if (pytestMessage) lines.push(`pytest: ${pytestMessage}`);
  lines.push(`log: ${log}`);
  return lines.join('\n');
}

function renderCase(c: JunitCase, log: string): string {
  const open = `    <testcase${attributes([['classname', c.classname], ['name', c.name], ['time', c.time === null ? null : seconds(c.time)]])}`;
  const { outcome } = c;
  if (outcome.kind === 'passed') return `${open}/>\n`;
  // The Jenkins schema types <skipped> as plain text (no message attribute); Jenkins reads the text as the reason.
  if (outcome.kind === 'skipped') return `${open}>\n      <skipped>${xmlText(outcome.reason)}</skipped>\n    </testcase>\n`;
  const failures = outcome.failures.map(
    (f) => `      <failure${attributes([['type', f.class], ['message', f.message]])}>${xmlText(failureText(f, outcome.pytestMessage, log))}</failure>\n`,
  );
  return `${open}>\n${failures.join('')}    </testcase>\n`;
}

/** flakehunt's own record of the iteration, as suite properties; environment values never appear in results, so not here either. */
function properties(sweep: string, result: IterationResult, paths: SuitePaths, testsFrom: 'plugin' | 'log'): Array<[string, string]> {
  const pairs: Array<[string, string | number | null]> = [
    ['flakehunt.sweep', sweep],
    ['flakehunt.iteration', result.iteration],
    ['flakehunt.status', result.status],
    ['flakehunt.counted', isVerdict(result) ? 'true' : 'false'],
    ['flakehunt.classes', result.classes.join(',') || null],
    ['flakehunt.exitCode', result.exitCode],
    ['flakehunt.killedBy', result.killedBy],
    ['flakehunt.exitCodeMismatch', result.exitCodeMismatch ? 'true' : null],
    ['flakehunt.note', result.note],
    ['flakehunt.attempt', result.attempt],
    ['flakehunt.imageId', result.imageId],
    ['flakehunt.startedAt', result.startedAt],
    ['flakehunt.testsFrom', testsFrom],
    ['flakehunt.log', paths.log],
  ];
  return pairs.filter((pair): pair is [string, string | number] => pair[1] !== null).map(([k, v]) => [k, String(v)]);
}

/**
 * One iteration as a `<testsuite>`, laid out as the Jenkins JUnit schema orders it: properties,
 * test cases, then system-out (the log's path and, for errors and interruptions, why).
 */
export function renderSuite(sweep: string, result: IterationResult, cases: JunitCase[], paths: SuitePaths, testsFrom: 'plugin' | 'log'): string {
  const count = (kind: JunitCase['outcome']['kind']): number => cases.filter((c) => c.outcome.kind === kind).length;
  const head = `  <testsuite${attributes([
    ['name', suiteName(sweep, result.iteration)],
    ['tests', cases.length],
    ['failures', count('failed')],
    ['errors', 0],
    ['skipped', count('skipped')],
    ['time', seconds(result.durationMs / 1000)],
    ['timestamp', timestamp(result.startedAt)],
    ['hostname', result.host || null],
    ['id', result.iteration],
  ])}>\n`;
  const props = properties(sweep, result, paths, testsFrom)
    .map(([name, value]) => `      <property${attributes([['name', name], ['value', value]])}/>\n`)
    .join('');
  const out = [`log: ${paths.log}`, ...(result.note ? [`${result.status}: ${result.note}`] : [])].join('\n');
  return `${head}    <properties>\n${props}    </properties>\n${cases.map((c) => renderCase(c, paths.log)).join('')}    <system-out>${xmlText(out)}</system-out>\n  </testsuite>\n`;
}
