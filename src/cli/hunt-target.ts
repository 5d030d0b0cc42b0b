import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

import { classifyLog } from '../classify/classify-log.js';
import type { Taxonomy } from '../classify/taxonomy-types.js';
import { UsageError } from '../core/errors.js';
import type { HuntTarget } from '../core/hunt-target.js';
import { type Failure, type IterationResult, UNCLASSIFIED } from '../core/result.js';
import { readJsonIfExists } from '../store/read-json.js';
import type { SweepConfig } from '../sweep/sweep-config.js';
import { parallelismKind, runnerMode } from '../sweep/test-command.js';

const SIGNATURE = /^[0-9a-f]{8,64}$/;

/** The target of the failures a run or a log shows: their signatures, or (unsigned) the class of the first. */
function targetOf(failures: Failure[], from: string): HuntTarget {
  const ids = [...new Set(failures.flatMap((f) => (f.signature === undefined ? [] : [f.signature])))];
  if (ids.length > 0) return { kind: 'signature', ids, from };
  if (failures.length > 0) return { kind: 'class', id: failures[0]!.class };
  throw new UsageError(`--target ${from} shows no failure to hunt for: give a failed run, or a log of a failing run`);
}

/**
 * What `--target` names: `any`; a class of the taxonomy; a signature; a run folder of a sweep
 * ("the one I saw in run007"); or a console log CI saved ("the one CI saw"), classified here with
 * the hunt's taxonomy to find the signatures of its failures.
 */
export async function resolveHuntTarget(text: string, taxonomy: Taxonomy, config: SweepConfig): Promise<HuntTarget> {
  if (text === 'any') return { kind: 'any' };
  const classes = [...taxonomy.rules.map((rule) => rule.id), UNCLASSIFIED];
  if (classes.includes(text)) return { kind: 'class', id: text };
  if (SIGNATURE.test(text) && !existsSync(text)) return { kind: 'signature', ids: [text], from: 'the command line' };
  if (existsSync(text)) {
    const full = path.resolve(text);
    if (statSync(full).isDirectory()) {
      if (existsSync(path.join(full, 'sweep.json'))) throw new UsageError(`--target ${text} is a whole sweep: give one of its iterations, e.g. ${path.join(text, 'run007')}`);
      const result = await readJsonIfExists<IterationResult>(path.join(full, 'result.json')).catch(() => null);
      if (result === null) throw new UsageError(`--target ${text} has no readable result.json: give a run folder of a flakehunt sweep, e.g. logs/serial_fix13/run007`);
      return targetOf(result.failures, text);
    }
    const classification = await classifyLog({
      log: full,
      artifactsDir: null,
      taxonomy,
      parallelism: parallelismKind(config.run),
      mode: runnerMode(config.run),
      // A saved console says nothing of the exit: taken as failing, so its failures are what counts.
      exit: { exitCode: 1, killedBy: null },
    });
    return targetOf(classification.failures, text);
  }
  throw new UsageError(
    `--target ${JSON.stringify(text)} is none of: any, a class of ${taxonomy.name} (${classes.join(', ')}), a signature (hex), a run folder, a console log file`,
  );
}
