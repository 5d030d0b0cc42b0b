import type { Command } from 'commander';

import { rate } from '../../config/option-parsers.js';
import { parseBaselineCounts } from '../../core/baseline-counts.js';
import { UsageError } from '../../core/errors.js';
import { isVerdict } from '../../core/result.js';
import { cleanRunsNeeded, runsToDistinguish } from '../../stats/sample-size.js';
import { type SequentialPlanSummary, sequentialPlanSummary } from '../../stats/sequential.js';
import { planOf, type SequentialQuestion } from '../../stats/sequential-question.js';
import { SweepLayout } from '../../store/layout.js';
import { readAllResults } from '../../store/results-store.js';

const pct = (x: number) => `${Number((x * 100).toPrecision(3))}%`;

/** `--baseline`: a rate (26%), counts (13/50), or a sweep folder; counts or a folder give a sequential plan. */
async function baselineOf(text: string): Promise<{ rate: number; counts: { failures: number; iterations: number } | null }> {
  const counts = parseBaselineCounts(text);
  if (counts !== null) return { rate: counts.failures / counts.iterations, counts };
  if (/[/\\]/.test(text) || !/^\d/.test(text)) {
    const results = (await readAllResults(new SweepLayout(text))).filter(isVerdict);
    if (results.length === 0) throw new UsageError(`--baseline ${text} is neither a rate (26%), counts (13/50) nor a sweep folder with finished iterations`);
    const failures = results.filter((r) => r.status === 'failed').length;
    return { rate: failures / results.length, counts: { failures, iterations: results.length } };
  }
  return { rate: rate(text, '--baseline'), counts: null };
}

function sequentialLines(s: SequentialPlanSummary, flags: string): string[] {
  const what = s.mode === 'target' ? `called below ${pct(s.referenceRate)}` : 'called better';
  const fixed = s.fixedPlanIterations === null ? '' : s.mode === 'target' ? ` (the fixed plan: ${s.fixedPlanIterations})` : ` (the fixed two-sample plan: ${s.fixedPlanIterations} per sweep)`;
  const expected = s.rates.map((r) => `${r.expectedIterations.toFixed(1)} at ${pct(r.rate)}`).join(', ');
  return [
    `Sequential (run --until-decided ${flags}, α ${pct(s.alpha)}, power ${pct(s.power)} at ${pct(s.powerRate)}):`,
    `  a suite that never fails is ${what} after ${s.cleanRunsToDecide} iteration(s)${fixed};`,
    `  expected iterations ${expected}; at most ${s.worstCaseIterations}.`,
  ];
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .summary('how many iterations are needed to be sure')
    .description('How many clean iterations show that the failure rate is below --rate with the given confidence, and the sequential plan of run --until-decided beside it (expected and worst-case iterations); with --baseline, also how many per sweep tell the baseline rate from --rate.')
    .requiredOption('--rate <rate>', 'the failure rate to rule out (or to detect), e.g. 3%')
    .option('--confidence <level>', 'confidence level', '95%')
    .option('--power <level>', 'the power of the sequential plans', '80%')
    .option('--baseline <rate|counts|sweep>', 'before the fix: a rate (26%), counts (13/50) or a sweep folder; counts and folders get a sequential plan too')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExamples:\n  $ flakehunt plan --rate 3% --confidence 95%\n  99 clean iterations in a row show the failure rate is below 3% with 95% confidence.\n  $ flakehunt plan --rate 2.6% --baseline logs/serial_fix8')
    .action(async (options: { rate: string; confidence: string; power: string; baseline?: string; json?: boolean }) => {
      const target = rate(options.rate, '--rate');
      const confidence = rate(options.confidence, '--confidence');
      const power = rate(options.power, '--power');
      const clean = cleanRunsNeeded(target, confidence);
      const baseline = options.baseline === undefined ? null : await baselineOf(options.baseline);
      const perSweep = baseline === null ? null : runsToDistinguish(baseline.rate, target);
      // 1 − 0.95 is 0.050000000000000044 in floating point: rounded to what was meant.
      const alpha = Number((1 - confidence).toPrecision(12));
      const questions: Array<{ question: SequentialQuestion; flags: string }> = [{ question: { mode: 'target', targetRate: target, alpha, power }, flags: `--target-rate ${pct(target)}` }];
      if (baseline?.counts) {
        questions.push({
          question: { mode: 'baseline', baselineFailures: baseline.counts.failures, baselineIterations: baseline.counts.iterations, baseline: options.baseline!, alpha, power },
          flags: `--baseline ${options.baseline}`,
        });
      }
      const sequential = questions.map(({ question, flags }) => {
        try {
          return { flags, summary: sequentialPlanSummary(planOf(question), question.mode === 'target' ? [0, target / 10, target, Math.min(0.5, target * 8)] : undefined) };
        } catch (error) {
          throw new UsageError(`plan: ${(error as Error).message}`);
        }
      });
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ rate: target, confidence, cleanIterations: clean, baseline: baseline?.rate ?? null, iterationsPerSweep: perSweep, sequential: sequential.map((s) => s.summary) })}\n`);
        return;
      }
      process.stdout.write(`${clean} clean iterations in a row show the failure rate is below ${pct(target)} with ${pct(confidence)} confidence.\n`);
      process.stdout.write(`(Equivalently: a flake failing ${pct(target)} of the time shows up at least once in ${clean} iterations with ${pct(confidence)} probability.)\n`);
      if (baseline !== null) {
        process.stdout.write(perSweep === null
          ? 'The baseline equals the rate: there is no difference to detect.\n'
          : `To tell ${pct(baseline.rate)} from ${pct(target)} (p < 0.05, power 80%): about ${perSweep} iterations in each sweep.\n`);
      }
      for (const { flags, summary } of sequential) process.stdout.write(`${sequentialLines(summary, flags).join('\n')}\n`);
    });
}
