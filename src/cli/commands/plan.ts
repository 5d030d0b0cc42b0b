import type { Command } from 'commander';

import { UsageError } from '../../core/errors.js';
import { cleanRunsNeeded, runsToDistinguish } from '../../stats/sample-size.js';

function percent(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(value.trim());
  const n = m ? Number(m[1]) / (value.includes('%') || Number(m[1]) >= 1 ? 100 : 1) : NaN;
  if (!(n > 0 && n < 1)) throw new UsageError(`${flag} ${JSON.stringify(value)} must be a rate between 0 and 100%, like 3% or 0.03`);
  return n;
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .summary('how many iterations are needed to be sure')
    .description('How many clean iterations show that the failure rate is below --rate with the given confidence;\nwith --baseline, also how many per sweep tell the baseline rate from --rate (Fisher/normal, power 80%).')
    .requiredOption('--rate <rate>', 'the failure rate to rule out (or to detect), e.g. 3%')
    .option('--confidence <level>', 'confidence level (default 95%)', '95%')
    .option('--baseline <rate>', 'the failure rate before the fix, e.g. 26%')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExample:\n  $ flakehunt plan --rate 3% --confidence 95%\n  99 clean iterations in a row show the failure rate is below 3% with 95% confidence.')
    .action((options: { rate: string; confidence: string; baseline?: string; json?: boolean }) => {
      const rate = percent(options.rate, '--rate');
      const confidence = percent(options.confidence, '--confidence');
      const clean = cleanRunsNeeded(rate, confidence);
      const baseline = options.baseline === undefined ? null : percent(options.baseline, '--baseline');
      const perSweep = baseline === null ? null : runsToDistinguish(baseline, rate);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ rate, confidence, cleanIterations: clean, baseline, iterationsPerSweep: perSweep })}\n`);
        return;
      }
      const pct = (x: number) => `${Number((x * 100).toFixed(2))}%`;
      process.stdout.write(`${clean} clean iterations in a row show the failure rate is below ${pct(rate)} with ${pct(confidence)} confidence.\n`);
      process.stdout.write(`(Equivalently: a flake failing ${pct(rate)} of the time shows up at least once in ${clean} iterations with ${pct(confidence)} probability.)\n`);
      if (baseline !== null) {
        process.stdout.write(perSweep === null
          ? 'The baseline equals the rate: there is no difference to detect.\n'
          : `To tell ${pct(baseline)} from ${pct(rate)} (p < 0.05, power 80%): about ${perSweep} iterations in each sweep.\n`);
      }
    });
}
