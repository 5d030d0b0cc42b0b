/**
 * The end of classification: who failed, in which phase, how, and which rule says what that is.
 * Everything the console showed (as RunClassifier streamed it) and everything the plugin
 * recorded is put under one canonical name per test, then each failed phase of each test
 * becomes one Failure with its signature and class.
 */
import { type Failure, type FailurePhase, UNCLASSIFIED } from '../core/result.js';
import type { Classification, Parallelism, PluginEvent, RunExit, RunnerMode } from './classification.js';
import { type Context, keepEnd, trimMessage } from './context.js';
import { describeFailure, type Evidence } from './failure-facts.js';
import { NodeIdCanon, type PytestDirs } from './node-ids.js';
import { PluginRecord, type PluginFailure, type PluginTest } from './plugin-record.js';
import type { ProcessEvent } from './process-events.js';
import { headFunctionName, headMatchesNodeid, type Outcome, parseFinalCounts, testFunctionName } from './pytest-lines.js';
import { signatureOf } from './signature.js';
import { describeStartupFailure, execFailure, type StartupEvidence } from './startup-failure.js';
import { tellingLine } from './telling-line.js';
import type { TaxonomyRule } from './taxonomy-types.js';

/** A failures-section entry's head (`test_x`, `ERROR at setup of TestA.test_b`, `ERROR collecting t.py`). */
export interface Head {
  head: string;
  /** Its Context's key. */
  key: string;
  /** For `ERROR collecting <path>`: the path. */
  collecting: string | null;
}

/** What RunClassifier gathered from the console. */
export interface StreamedRun {
  mode: RunnerMode;
  parallelism: Parallelism;
  rules: TaxonomyRule[];
  /** The console's outcomes, by the console's node id; a serial run's passes are only counted. */
  outcomes: ReadonlyMap<string, Outcome>;
  /** Tests the console showed pass (PASSED, XPASS), as of the last outcome of each. */
  passed: number;
  earlierOutcomes: ReadonlyMap<string, Outcome>;
  summaryMessages: ReadonlyMap<string, string>;
  contexts: ReadonlyMap<string, Context>;
  heads: readonly Head[];
  /** `worker 'gw0' crashed while running '<id>'`: id as pytest keeps it → worker. */
  crashed: ReadonlyMap<string, string>;
  xdistRunning: ReadonlySet<string>;
  events: readonly ProcessEvent[];
  inProgress: string | null;
  finalText: string | null;
  collectionProblem: string | null;
  dirs: PytestDirs;
  climbsOut: boolean;
  startup: StartupEvidence;
  /** The last line of pytest's own crash (`INTERNALERROR> Failed: Timeout >0.01s`); null when it did not crash. */
  internalError: string | null;
  /** The last non-blank lines of the log. */
  tail: string[];
}

/** Everything known about one test, under its canonical name. */
interface TestRecord {
  test: string;
  contexts: Context[];
  outcome?: Outcome;
  earlier?: Outcome;
  summary?: string;
  crashedOn?: string;
  plugin?: PluginTest;
  /** The failures-section entries about it, by phase. */
  heads: Map<FailurePhase, Context>;
  /** Its process died (or was stopped) while it ran. */
  died: boolean;
  events: ProcessEvent[];
}

const PHASE_ORDER: Record<string, number> = { collection: 0, setup: 1, call: 2, teardown: 3 };

function headPhase(head: string): FailurePhase {
  if (head.startsWith('ERROR at setup of ')) return 'setup';
  if (head.startsWith('ERROR at teardown of ')) return 'teardown';
  return 'call';
}

export function attribute(run: StreamedRun, given: RunExit, pluginEvents: Iterable<PluginEvent>): Classification {
  const exit = withMarkersKill(given, run.events);
  const plugin = new PluginRecord(pluginEvents);
  const dirs: PytestDirs = {
    rootdir: plugin.dirs?.rootdir ?? run.dirs.rootdir,
    invocationDir: plugin.dirs?.invocationDir ?? run.dirs.invocationDir,
  };
  const canon = new NodeIdCanon(dirs, plugin.started, run.climbsOut);
  const records = new Map<string, TestRecord>();
  const record = (test: string): TestRecord => {
    let found = records.get(test);
    if (found === undefined) records.set(test, (found = { test, contexts: [], heads: new Map(), died: false, events: [] }));
    return found;
  };

  // Only failed tests need a record: a log of ten thousand passes need not name each one again.
  for (const [id, outcome] of run.outcomes) {
    if (outcome !== 'FAILED' && outcome !== 'ERROR') continue;
    record(canon.console(id)).outcome = outcome;
  }
  for (const [id, outcome] of run.earlierOutcomes) record(canon.console(id)).earlier = outcome;
  for (const [id, message] of run.summaryMessages) record(canon.console(id)).summary ??= message;
  for (const [id, worker] of run.crashed) record(canon.pytest(id)).crashedOn = worker;
  for (const [key, context] of run.contexts) {
    if (key === 'run' || key.startsWith('head:')) continue;
    record(key.startsWith('crash:') ? canon.pytest(key.slice('crash:'.length)) : canon.console(key)).contexts.push(context);
  }
  for (const test of plugin.tests.values()) record(canon.pytest(test.nodeid)).plugin = test;

  // Who was running when a process died (or the harness stopped it).
  const cutShort = run.mode === 'pytest' && run.finalText === null;
  if (plugin.sessions > 0) {
    for (const r of records.values()) if (r.plugin?.died) r.died = true;
  } else {
    if (cutShort && run.inProgress !== null) record(canon.console(run.inProgress)).died = true;
    if (cutShort && exit.killedBy !== null) {
      // Neither list holds a finished test: xdist's running tests leave it at their outcome.
      const stopped = [...plugin.unfinished().map((test) => canon.pytest(test.nodeid)), ...[...run.xdistRunning].map((id) => canon.console(id))];
      for (const test of stopped) {
        const r = record(test);
        if (r.crashedOn === undefined) r.died = true;
      }
    }
  }
  for (const r of records.values()) if (r.crashedOn !== undefined) r.died = true;

  const failed = [...records.values()]
    .filter((r) => r.died || r.outcome === 'FAILED' || r.outcome === 'ERROR' || (r.plugin?.failures.length ?? 0) > 0)
    .sort((a, b) => (a.test < b.test ? -1 : a.test > b.test ? 1 : 0));
  assignHeads(run, failed);
  const runLevelEvents = assignEvents(run, exit, canon, failed);

  const run_ = run.contexts.get('run');
  const consumed = new Set<string>();
  const failures: Failure[] = [];
  const evidenceBase = { exit, parallelism: run.parallelism, rules: run.rules, canon };
  for (const r of failed) {
    const runTies = workerTies(run_, r, consumed);
    for (const [phase, pluginFailure] of phasesOf(r)) {
      const contexts = [...r.contexts, ...(phase === null ? [...r.heads.values()] : [r.heads.get(phase)].filter((c): c is Context => c !== undefined))];
      const diedHere = r.died && (phase === null || r.plugin === undefined || !r.plugin.died || PluginRecord.phaseOfDeath(r.plugin) === phase);
      const evidence: Evidence = {
        ...evidenceBase,
        test: r.test,
        phase,
        contexts,
        extraMatches: runTies,
        plugin: pluginFailure,
        summary: r.summary ?? null,
        died: diedHere,
        events: diedHere ? r.events : [],
        crashedOn: r.crashedOn ?? null,
      };
      failures.push(describeFailure(evidence));
    }
  }
  failures.push(...collectionFailures(run, plugin, canon, evidenceBase));
  addRunLevel(run, exit, run_, consumed, runLevelEvents, failures, evidenceBase);
  return decide(run, exit, failures);
}

/**
 * Only flakehunt's watchdog writes its markers, and only when it stops the container: a log that
 * has one was stopped, even where the exit facts do not say so (a seed-script folder, a result
 * written before killedBy existed).
 */
function withMarkersKill(exit: RunExit, events: readonly ProcessEvent[]): RunExit {
  if (exit.killedBy !== null) return exit;
  const marker = events.find((event) => event.kind === 'hang' || event.kind === 'wall-timeout');
  return marker === undefined ? exit : { ...exit, killedBy: marker.kind === 'hang' ? 'idle' : 'timeout' };
}

/** Gives each failures-section head to a failed test it names, per phase, in order (heads repeat for same-named tests). */
function assignHeads(run: StreamedRun, failed: TestRecord[]): void {
  const byFunction = new Map<string, TestRecord[]>();
  for (const r of failed) {
    const name = testFunctionName(r.test);
    const same = byFunction.get(name);
    if (same === undefined) byFunction.set(name, [r]);
    else same.push(r);
  }
  for (const head of run.heads) {
    if (head.collecting !== null) continue;
    const phase = headPhase(head.head);
    const candidates = byFunction.get(headFunctionName(head.head)) ?? [];
    const owner = candidates.find((r) => !r.heads.has(phase) && headMatchesNodeid(head.head, r.test));
    const context = run.contexts.get(head.key);
    if (owner !== undefined && context !== undefined) owner.heads.set(phase, context);
  }
}

/** The phases a failed test failed in, with what the plugin said of each; [null, …] when nothing says which. */
function phasesOf(r: TestRecord): Array<[FailurePhase | null, PluginFailure | null]> {
  const phases = new Map<FailurePhase, PluginFailure | null>();
  for (const failure of r.plugin?.failures ?? []) if (!phases.has(failure.phase)) phases.set(failure.phase, failure);
  for (const phase of r.heads.keys()) if (!phases.has(phase)) phases.set(phase, null);
  if (r.died && r.plugin !== undefined && r.plugin.died) {
    const phase = PluginRecord.phaseOfDeath(r.plugin);
    if (!phases.has(phase)) phases.set(phase, null);
  }
  if (phases.size === 0) {
    const phase = consolePhase(r);
    return [[phase, null]];
  }
  return [...phases].sort((a, b) => PHASE_ORDER[a[0]]! - PHASE_ORDER[b[0]]!);
}

/** The phase the console's outcomes imply: `ERROR` after a `PASSED`/`FAILED` is the teardown's, alone the setup's. */
function consolePhase(r: TestRecord): FailurePhase | null {
  if (r.died) return null;
  if (r.outcome === 'FAILED') return 'call';
  if (r.outcome === 'ERROR') return r.earlier === 'PASSED' || r.earlier === 'FAILED' ? 'teardown' : 'setup';
  return null;
}

/**
 * Ties each process event to the test that was running when its process died: by the frames of
 * its stack dump (the test's function in its file), by the xdist worker it names, or because
 * one test alone died; the watchdog's markers go to every test it stopped. Returns the events
 * tied to no test.
 */
function assignEvents(run: StreamedRun, exit: RunExit, canon: NodeIdCanon, failed: TestRecord[]): ProcessEvent[] {
  const died = failed.filter((r) => r.died);
  const loose: ProcessEvent[] = [];
  for (const event of run.events) {
    let owners: TestRecord[];
    if (event.kind === 'hang' || event.kind === 'wall-timeout') {
      owners = exit.killedBy !== null ? died : [];
    } else {
      owners = died.filter((r) => {
        const [file] = r.test.split('::');
        const fn = testFunctionName(r.test);
        return event.frames.some((frame) => frame.fn === fn && canon.filePath(frame.file) === file);
      });
      if (owners.length === 0 && event.worker !== null) owners = died.filter((r) => r.crashedOn === event.worker);
      if (owners.length === 0 && died.length === 1) owners = died;
      if (owners.length === 0) owners = died.filter((r) => canon.console(event.contextKey) === r.test);
    }
    for (const owner of owners) owner.events.push(event);
    if (owners.length === 0) loose.push(event);
  }
  return loose;
}

/** Lines of the run's Context that name the worker a test crashed on (`[gw0] node down: …`), for that test. */
function workerTies(run: Context | undefined, r: TestRecord, consumed: Set<string>): Map<string, string> {
  const ties = new Map<string, string>();
  if (run === undefined || r.crashedOn === undefined || !run.workers.has(r.crashedOn)) return ties;
  for (const [key, line] of run.matches) {
    if (!/^\[gw\d+\]/.test(line)) continue;
    ties.set(key, line);
    consumed.add(key);
  }
  return ties;
}

/** Files that failed to collect while other tests ran (`--continue-on-collection-errors`): failures of their own. */
function collectionFailures(run: StreamedRun, plugin: PluginRecord, canon: NodeIdCanon, base: Omit<Evidence, 'test' | 'phase' | 'contexts' | 'extraMatches' | 'plugin' | 'summary' | 'died' | 'events' | 'crashedOn'>): Failure[] {
  if (run.outcomes.size === 0 && run.passed === 0) return [];
  const byPath = new Map<string, { contexts: Context[]; plugin: PluginFailure | null }>();
  for (const head of run.heads) {
    const context = head.collecting === null ? undefined : run.contexts.get(head.key);
    if (context === undefined) continue;
    const path = canon.console(head.collecting!);
    byPath.set(path, { contexts: [...(byPath.get(path)?.contexts ?? []), context], plugin: null });
  }
  for (const collect of plugin.collectFailures) {
    const path = canon.pytest(collect.nodeid);
    byPath.set(path, { contexts: byPath.get(path)?.contexts ?? [], plugin: collect });
  }
  return [...byPath].map(([path, { contexts, plugin: p }]) =>
    describeFailure({ ...base, test: path, phase: 'collection', contexts, extraMatches: new Map(), plugin: p, summary: null, died: false, events: [], crashedOn: null }),
  );
}

/** Failures of the run as a whole: rule matches in no test's output, and process events tied to no test. */
function addRunLevel(
  run: StreamedRun,
  exit: RunExit,
  runContext: Context | undefined,
  consumed: Set<string>,
  events: ProcessEvent[],
  failures: Failure[],
  base: Omit<Evidence, 'test' | 'phase' | 'contexts' | 'extraMatches' | 'plugin' | 'summary' | 'died' | 'events' | 'crashedOn'>,
): void {
  // Infrastructure noise in a run that otherwise passed is not a failure of that run.
  if (failures.length === 0 && exit.exitCode === 0 && exit.killedBy === null) return;
  const classes = new Set(failures.map((f) => f.class));
  const add = (failure: Failure) => {
    if (failure.class === UNCLASSIFIED || classes.has(failure.class)) return;
    classes.add(failure.class);
    failures.push(failure);
  };
  for (const event of events) {
    add(describeFailure({ ...base, test: null, phase: null, contexts: [], extraMatches: new Map(), plugin: null, summary: null, died: true, events: [event], crashedOn: null }));
  }
  if (runContext === undefined) return;
  // One failure per line: a line that a project rule and a generic one both match is one failure (of the first rule's class).
  const described = new Set<string>();
  for (const rule of run.rules) {
    for (const group of [rule.lines, ...rule.alternatives.map((c) => c.output)]) {
      const line = group ? runContext.matches.get(group.key) : undefined;
      if (line === undefined || consumed.has(group!.key) || described.has(line)) continue;
      described.add(line);
      add(describeFailure({ ...base, test: null, phase: null, contexts: [], extraMatches: new Map([[group!.key, line]]), plugin: null, summary: null, died: false, events: [], crashedOn: null }));
    }
  }
}

function decide(run: StreamedRun, exit: RunExit, failures: Failure[]): Classification {
  const tests = countTests(run);
  const exec = exit.killedBy === null ? execFailure(exit.exitCode, run.tail) : null;
  if (exec !== null && failures.length === 0) {
    return { classes: [], failures, tests, status: 'error', exitCodeMismatch: false, collectionFailure: true, startupFailure: exec, note: trimMessage(describeStartupFailure(exec, exit.exitCode)) };
  }
  const tailText = keepEnd(run.tail.join(' | '));
  if (failures.length === 0 && exit.killedBy !== null) {
    failures.push({ test: null, class: UNCLASSIFIED, message: keepEnd(`killed by the harness (${exit.killedBy}); last output: ${tailText}`), ...runSignature('killed', `killed by the harness (${exit.killedBy})`) });
  }
  if (failures.length === 0 && exit.exitCode !== 0 && run.mode === 'pytest' && run.internalError !== null) {
    failures.push({ test: null, class: UNCLASSIFIED, message: keepEnd(`pytest crashed (INTERNALERROR, exit ${exit.exitCode}): ${run.internalError}`), ...runSignature('INTERNALERROR', run.internalError) });
  }
  if (failures.length === 0 && exit.exitCode !== 0 && run.mode === 'command') {
    failures.push({ test: null, class: UNCLASSIFIED, message: keepEnd(`exit code ${exit.exitCode}; last output: ${tailText}`), ...runSignature(`exit ${exit.exitCode}`, tellingLine(run.tail)) });
  }
  const classes = [...new Set(failures.map((f) => f.class))].sort();
  const base = { classes, failures, tests, collectionFailure: false, startupFailure: null, note: null as string | null };
  if (failures.length > 0) {
    return { ...base, status: 'failed', exitCodeMismatch: exit.exitCode === 0 && exit.killedBy === null };
  }
  if (exit.exitCode === 0) return { ...base, status: 'passed', exitCodeMismatch: false };
  const startup = run.mode === 'pytest' ? run.startup.failure(run.collectionProblem) : null;
  if (startup !== null) {
    return { ...base, status: 'error', exitCodeMismatch: false, collectionFailure: true, startupFailure: startup, note: trimMessage(describeStartupFailure(startup, exit.exitCode)) };
  }
  const collection =
    run.collectionProblem !== null || exit.exitCode === 4 || exit.exitCode === 5 || (exit.exitCode === 2 && tests.passed + tests.failed === 0);
  const note = collection
    ? `pytest could not collect the tests (exit ${exit.exitCode}): ${collectionReason(run) ?? tailText}`
    : `exit code ${exit.exitCode ?? 'unknown'} but no failing test in the log; last output: ${tailText}`;
  return { ...base, status: 'error', exitCodeMismatch: false, collectionFailure: collection, note: collection ? trimMessage(note) : keepEnd(note) };
}

/**
 * The collection problem, with the error its failures-section entry gives (`ERROR collecting t.py:
 * ModuleNotFoundError: …`): of a chain, the last exception, as for a test's failure (an import's
 * `StopIteration` is what led to the `PackageNotFoundError` that broke it).
 */
function collectionReason(run: StreamedRun): string | null {
  const problem = run.collectionProblem;
  if (problem === null) return null;
  const head = run.heads.find((h) => h.head === problem && h.collecting !== null);
  const context = head === undefined ? undefined : run.contexts.get(head.key);
  const error = context?.trace?.firstLine ?? context?.firstError ?? null;
  return error === null ? problem : `${problem}: ${error.replace(/^E\s+/, '')}`;
}

function runSignature(type: string, message: string): Pick<Failure, 'signature' | 'signatureText'> {
  return signatureOf({ type, location: null, message });
}

function countTests(run: StreamedRun): { passed: number; failed: number } {
  if (run.finalText !== null) return parseFinalCounts(run.finalText);
  let failed = 0;
  for (const outcome of run.outcomes.values()) if (outcome === 'FAILED' || outcome === 'ERROR') failed += 1;
  return { passed: run.passed, failed };
}
