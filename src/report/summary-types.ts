import type { HuntTarget } from '../core/hunt-target.js';
import type { HuntVerdict } from './hunt-verdict.js';
import type { IterationResult } from '../core/result.js';
import type { RuleKind } from '../classify/taxonomy-types.js';
import type { RateEstimate } from '../stats/rate-estimate.js';
import type { SequentialQuestion } from '../stats/sequential-question.js';
import type { CellsSummary } from './cell-summary.js';
import type { HostRate } from '../stats/host-rates.js';
import type { DecisionSummary } from './decision-summary.js';
import type { Quiet, RegimeShift } from './trend-summary.js';

export type { RateEstimate };

/** What a sweep folder says about itself, as far as summaries and reports need it. */
export interface SweepInfo {
  /** Absolute path of the sweep folder. */
  dir: string;
  /** Folder name, e.g. `serial_fix13`. */
  name: string;
  image: string | null;
  parallelism: string;
  tag: string | null;
  nodeids: string[];
  /** The question of --until-decided, when the sweep asked one. */
  decision?: SequentialQuestion | null;
  /** What else sweep.json says the sweep ran, for telling whether two sweeps are comparable. */
  command?: string[] | null;
  pytestArgs?: string[];
  imageId?: string | null;
  perturbation?: string | null;
  matrix?: string[] | null;
  taxonomy?: string | null;
  /** Bind mounts (`host:container[:ro]`) and working directory: the suite they bring in is under test too. */
  mounts?: string[];
  workdir?: string | null;
  /** What a hunt looked for; null for other sweeps. */
  hunt?: HuntTarget | null;
}

export interface ClassSummary {
  id: string;
  title: string;
  kind: RuleKind | 'unclassified';
  /** Iterations in which this class occurred at least once, out of the counted iterations. */
  runs: RateEstimate;
  runNumbers: number[];
}

export interface TestSummary {
  test: string;
  /** Iterations in which this test failed, out of the counted iterations. */
  runs: RateEstimate;
  runNumbers: number[];
  classes: string[];
  firstMessage: string;
}

export interface SweepSummary {
  info: SweepInfo;
  /** Every iteration with a result.json, in iteration order. */
  results: IterationResult[];
  finished: number;
  passed: number;
  failed: number;
  errors: number;
  interrupted: number;
  /** Iterations counted in rates: passed + failed, less those failing only with excluded classes. */
  counted: number;
  /** Failed iterations among the counted ones, with interval. */
  failure: RateEstimate;
  /** Failed iterations counting only test-bug classes (infrastructure classes such as A5 excluded). */
  testBugFailure: RateEstimate;
  classes: ClassSummary[];
  tests: TestSummary[];
  failedRuns: number[];
  /** Failed iterations left out of `counted` because every failure was of an infrastructure class (only with that option). */
  excludedRuns?: number[];
  meanDurationMs: number | null;
  /** Per cell of a matrix or hunt, and what each way of failing depends on; null for a sweep of one cell. */
  cells: CellsSummary | null;
  /** What --until-decided answered; null when the sweep asked nothing. */
  decision: DecisionSummary | null;
  /** A hunt's answer (reproductions, best conditions), from its results; null for other sweeps. */
  hunt: HuntVerdict | null;
  /** A change of the failure rate along the iterations, when there is a significant one. */
  shift: RegimeShift | null;
  /** Failure rates per host, when results come from several. */
  hosts: HostRate[] | null;
  /** Ways of failing not seen for a while, and how likely each is gone. */
  quiet: Quiet[];
  /** Each way of failing (a signature, or a class and test), most frequent first. */
  ways: WaySummary[];
}

/** One way of failing: a signature (or a class and test, when unsigned), with its rate. */
export interface WaySummary {
  key: string;
  signature: string | null;
  /** The normalised text the signature is made from. */
  signatureText: string | null;
  tests: string[];
  classes: string[];
  runs: RateEstimate;
  runNumbers: number[];
  example: string;
}
