import { type Failure, UNCLASSIFIED } from '../core/result.js';
import { AnyRule } from './any-rule.js';
import type { Classification, Parallelism, PluginEvent, RunExit, RunnerMode } from './classification.js';
import { type Outcome, headFunctionName, headMatchesNodeid, parseFinalCounts, parsePytestLine, stackFrameFunction, testFunctionName } from './pytest-lines.js';
import type { Taxonomy, TaxonomyRule } from './taxonomy-types.js';

const MAX_MESSAGE = 400;
const TAIL_LINES = 8;
/** Lines kept to find the last TAIL_LINES non-blank ones among. */
const TAIL_BUFFER = 32;
const STACK_WINDOW = 200;
const MAX_STACK_NAMES = 500;
/** Strings kept from the first this many characters of a log are not copied (see keep()). */
const COPY_AFTER_CHARS = 4 * 1024 * 1024;

/** What one test (or the run as a whole) showed: the first line matching each rule, and the first `E ` line. */
interface Context {
  matches: Map<string, string>;
  quality: Map<string, number>;
  firstError: string | null;
  /** Per rule, function names from the stack dump printed after its line (to tie crash output to a test). */
  stackNames: Map<string, Set<string>>;
  workers: Set<string>;
}

type Section = 'body' | 'failures' | 'errors' | 'summary' | 'other';

function newContext(): Context {
  return { matches: new Map(), quality: new Map(), firstError: null, stackNames: new Map(), workers: new Set() };
}

/**
 * A copy of a string that does not hold on to the chunk it was sliced from: lines are substrings
 * of ~1 MB decoded chunks, and keeping a node id would otherwise keep its whole chunk alive.
 */
function own(text: string): string {
  // Concatenating and slicing makes V8 flatten into a fresh string: a copy, with no re-encoding.
  return (` ${text}`).slice(1);
}

/** How telling a matching line is: pytest's `E ` lines beat plain output, which beats traceback source lines. */
function lineQuality(line: string): number {
  if (/^E\s/.test(line)) return 2;
  if (/^[\s>]/.test(line)) return 0;
  return 1;
}

/** The end of a long text, which is where a log says what went wrong. */
function keepEnd(text: string): string {
  return text.length > MAX_MESSAGE ? `…${text.slice(text.length - MAX_MESSAGE + 1)}` : text;
}

function trimMessage(line: string): string {
  const trimmed = line.trim().replace(/^E\s+/, '');
  return own(trimmed.length > MAX_MESSAGE ? `${trimmed.slice(0, MAX_MESSAGE - 1)}…` : trimmed);
}

interface ApplicableRules { rules: TaxonomyRule[]; anyRule: AnyRule }
const rulesByTaxonomy = new WeakMap<Taxonomy, Map<Parallelism, ApplicableRules>>();

/** The rules that apply under a parallelism, and their combined test: made once per taxonomy, not per log. */
function rulesFor(taxonomy: Taxonomy, parallelism: Parallelism): ApplicableRules {
  let byParallelism = rulesByTaxonomy.get(taxonomy);
  if (byParallelism === undefined) rulesByTaxonomy.set(taxonomy, (byParallelism = new Map()));
  let entry = byParallelism.get(parallelism);
  if (entry === undefined) {
    const rules = taxonomy.rules.filter((rule) => {
      const wanted = rule.when?.parallelism;
      return wanted === undefined || wanted === parallelism;
    });
    entry = { rules, anyRule: new AnyRule(rules) };
    byParallelism.set(parallelism, entry);
  }
  return entry;
}

/**
 * Streams a console log line by line and works out which tests failed and how, in memory bounded
 * by the number of tests, not the size of the log.
 */
export class RunClassifier {
  private readonly rules: TaxonomyRule[];
  private readonly anyRule: AnyRule;
  private readonly outcomes = new Map<string, Outcome>();
  private readonly summaryMessages = new Map<string, string>();
  private readonly contexts = new Map<string, Context>();
  private readonly heads: string[] = [];
  private readonly crashed = new Map<string, string>();
  private readonly xdistRunning = new Set<string>();
  /** The last lines of the log, a ring (blank lines are filtered out when it is read). */
  private readonly tail: string[] = [];
  private tailNext = 0;
  private section: Section = 'body';
  /** The Context key of the current failure head (`head:<head>`), made once per head rather than per line. */
  private headKey: string | null = null;
  private inProgress: string | null = null;
  /** Characters of the log seen so far. */
  private seen = 0;
  private stackWindow = 0;
  /** The rules whose matching line opened the current stack-dump window. */
  private stackRules: string[] = [];
  private finalText: string | null = null;
  private collectionProblem: string | null = null;

  constructor(
    taxonomy: Taxonomy,
    private readonly parallelism: Parallelism,
    private readonly mode: RunnerMode,
  ) {
    ({ rules: this.rules, anyRule: this.anyRule } = rulesFor(taxonomy, parallelism));
  }

  /** Feeds one line of the console (without its newline); `plain` when it is known to hold no carriage return (see LineSplitter). */
  line(text: string, plain = false): void {
    // pytest-xdist's worker banners start with a carriage return that can glue two lines together.
    if (!plain && text.includes('\r')) {
      for (const part of text.split('\r')) if (part.length > 0) this.oneLine(part);
      return;
    }
    this.oneLine(text);
  }

  private oneLine(line: string): void {
    this.seen += line.length;
    // Not copied: the last few lines hold on to at most a few chunks, and this runs for every line.
    if (line.length > 0) {
      this.tail[this.tailNext % TAIL_BUFFER] = line;
      this.tailNext += 1;
    }
    if (this.mode === 'command') {
      // section, head and inProgress never change in command mode: this is the run's Context.
      this.content(line, 'run');
      return;
    }
    const parsed = parsePytestLine(line, this.section === 'summary');
    switch (parsed.kind) {
      case 'outcome':
        if (this.section !== 'body') break;
        this.outcomes.set(this.keep(parsed.test), parsed.outcome);
        if (this.parallelism === 'xdist') this.xdistRunning.delete(parsed.test);
        if (parsed.test === this.inProgress) this.inProgress = null;
        return;
      case 'bare-outcome':
        if (this.section === 'body' && this.inProgress !== null) {
          this.outcomes.set(this.inProgress, parsed.outcome);
          this.inProgress = null;
        }
        return;
      case 'start':
        if (this.section !== 'body') break;
        if (this.parallelism === 'xdist') {
          // xdist prints a node id when a worker starts it; several run at once.
          if (parsed.rest.trim().length === 0 && !this.outcomes.has(parsed.test)) this.xdistRunning.add(own(parsed.test));
          break;
        }
        this.inProgress = this.keep(parsed.test);
        if (parsed.rest.length > 0) this.content(parsed.rest, parsed.test);
        return;
      case 'section':
        this.openSection(parsed.title);
        return;
      case 'final':
        this.finalText = own(parsed.text);
        this.section = 'other';
        if (/no tests ran/.test(parsed.text)) this.collectionProblem ??= parsed.text;
        return;
      case 'failure-head':
        if (this.section === 'failures' || this.section === 'errors') {
          const head = own(parsed.head);
          this.headKey = `head:${head}`;
          if (/^ERROR collecting /.test(head)) this.collectionProblem ??= head;
          else this.heads.push(head);
          return;
        }
        break;
      case 'summary-entry':
        if (!parsed.target.includes('::')) {
          this.collectionProblem ??= own(`${parsed.outcome} ${parsed.target}${parsed.message ? ` - ${parsed.message}` : ''}`);
          return;
        }
        if (!this.outcomes.has(parsed.target) || this.outcomes.get(parsed.target) === 'PASSED') {
          this.outcomes.set(this.keep(parsed.target), parsed.outcome);
        }
        if (parsed.message) {
          this.summaryMessages.set(parsed.target, trimMessage(parsed.message));
          this.content(parsed.message, parsed.target);
        }
        return;
      case 'node-down':
        this.context('run').workers.add(own(parsed.worker));
        break;
      case 'worker-crashed':
        this.crashed.set(own(parsed.test), own(parsed.worker));
        this.content(line, parsed.test);
        return;
      case 'collection-problem':
        this.collectionProblem ??= own(parsed.text);
        break;
      case 'text':
        break;
    }
    this.content(line, this.currentKey());
  }

  private openSection(title: string): void {
    this.headKey = null;
    if (title === 'FAILURES') this.section = 'failures';
    else if (title === 'ERRORS') this.section = 'errors';
    else if (title === 'short test summary info') this.section = 'summary';
    else if (title === 'test session starts') this.section = 'body';
    else if (this.section === 'body' && title === '') this.section = 'body';
    else this.section = 'other';
  }

  /**
   * A string to keep, taken from a line: copied once the log has gone past COPY_AFTER_CHARS.
   * Before, it is kept as is, holding on to the chunk it came from: at most that much of the log.
   */
  private keep(text: string): string {
    return this.seen < COPY_AFTER_CHARS ? text : own(text);
  }

  /** Which Context the current line belongs to: the failure head's, the running test's or the run's. */
  private currentKey(): string {
    if ((this.section === 'failures' || this.section === 'errors') && this.headKey !== null) return this.headKey;
    if (this.section === 'body' && this.inProgress !== null) return this.inProgress;
    return 'run';
  }

  private context(key: string): Context {
    let context = this.contexts.get(key);
    if (context === undefined) {
      context = newContext();
      this.contexts.set(this.keep(key), context);
    }
    return context;
  }

  /**
   * Looks for rule matches, a first `E ` line and stack-dump names in a line, for the Context
   * `key`. That Context is created only when the line may add to it: finish() treats an empty
   * Context and a missing one alike.
   */
  private content(line: string, key: string): void {
    if (this.stackWindow > 0) {
      this.stackWindow -= 1;
      const name = stackFrameFunction(line);
      if (name !== null) {
        const context = this.context(key);
        for (const rule of this.stackRules) {
          const names = context.stackNames.get(rule) ?? new Set<string>();
          if (names.size < MAX_STACK_NAMES && !names.has(name)) names.add(own(name));
          context.stackNames.set(rule, names);
        }
      }
    }
    if (line.charCodeAt(0) === 0x45 /* E */ && /^E\s{2,}\S/.test(line)) this.context(key).firstError ??= trimMessage(line);
    if (!this.anyRule.test(line)) return;
    const context = this.context(key);
    const quality = lineQuality(line);
    const opened: string[] = [];
    for (const rule of this.rules) {
      if ((context.quality.get(rule.id) ?? -1) >= quality) continue;
      if (rule.regexes.some((regex) => regex.test(line))) {
        const first = !context.matches.has(rule.id);
        context.matches.set(rule.id, trimMessage(line));
        context.quality.set(rule.id, quality);
        if (!first) continue;
        const worker = /^\[(gw\d+)\]/.exec(line);
        if (worker) context.workers.add(own(worker[1]!));
        opened.push(rule.id);
      }
    }
    if (opened.length > 0) {
      this.stackWindow = STACK_WINDOW;
      this.stackRules = opened;
    }
  }

  /** Decides the iteration's status and failures once the log has ended. */
  finish(exit: RunExit, pluginEvents: Iterable<PluginEvent> = []): Classification {
    const plugin = summarisePlugin(pluginEvents);
    const failed = new Set<string>();
    for (const [test, outcome] of this.outcomes) if (outcome === 'FAILED' || outcome === 'ERROR') failed.add(test);
    for (const test of this.crashed.keys()) failed.add(test);
    for (const test of plugin.failed.keys()) failed.add(test);
    const cutShort = this.mode === 'pytest' && this.finalText === null;
    const interruptedTests = new Set<string>();
    if (cutShort && this.inProgress !== null) interruptedTests.add(this.inProgress);
    if (cutShort && exit.killedBy !== null) {
      for (const test of [...plugin.running, ...this.xdistRunning]) {
        if (!this.crashed.has(test) && !this.outcomes.has(test)) interruptedTests.add(test);
      }
    }
    for (const test of interruptedTests) failed.add(test);

    const headOwners = this.assignHeads(failed);
    const run = this.context('run');
    const consumed = new Set<string>();
    const failures: Failure[] = [];
    for (const test of [...failed].sort()) {
      const context = this.mergedContext(test, headOwners);
      const crashedOn = this.crashed.get(test);
      for (const [ruleId, line] of run.matches) {
        const tiedByWorker = crashedOn !== undefined && run.workers.has(crashedOn) && /^\[gw\d+\]/.test(line);
        const tiedByStack = (crashedOn !== undefined || interruptedTests.has(test)) && (run.stackNames.get(ruleId)?.has(testFunctionName(test)) ?? false);
        const tiedByKill = interruptedTests.has(test) && exit.killedBy !== null && /^\[flakehunt\]/.test(line);
        if (tiedByWorker || tiedByStack || tiedByKill) {
          if (!context.matches.has(ruleId)) context.matches.set(ruleId, line);
          consumed.add(ruleId);
        }
      }
      failures.push(this.failureOf(test, context, plugin.failed.get(test) ?? null));
    }
    const classesSoFar = new Set(failures.map((f) => f.class));
    for (const rule of this.rules) {
      const line = run.matches.get(rule.id);
      if (line === undefined || consumed.has(rule.id) || classesSoFar.has(rule.id)) continue;
      // Infrastructure noise in a run that otherwise passed is not a failure of that run.
      if (failures.length === 0 && exit.exitCode === 0 && exit.killedBy === null) continue;
      failures.push({ test: null, class: rule.id, message: line });
      classesSoFar.add(rule.id);
    }
    return this.decide(exit, failures);
  }

  private decide(exit: RunExit, failures: Failure[]): Classification {
    const tests = this.countTests();
    const tailText = keepEnd(this.lastLines().join(' | '));
    if (failures.length === 0 && exit.killedBy !== null) {
      failures.push({ test: null, class: UNCLASSIFIED, message: keepEnd(`killed by the harness (${exit.killedBy}); last output: ${tailText}`) });
    }
    if (failures.length === 0 && exit.exitCode !== 0 && this.mode === 'command') {
      failures.push({ test: null, class: UNCLASSIFIED, message: keepEnd(`exit code ${exit.exitCode}; last output: ${tailText}`) });
    }
    const classes = [...new Set(failures.map((f) => f.class))].sort();
    const base = { classes, failures, tests, collectionFailure: false, note: null as string | null };
    if (failures.length > 0) {
      return { ...base, status: 'failed', exitCodeMismatch: exit.exitCode === 0 && exit.killedBy === null };
    }
    if (exit.exitCode === 0) return { ...base, status: 'passed', exitCodeMismatch: false };
    const collection =
      this.collectionProblem !== null || exit.exitCode === 4 || exit.exitCode === 5 || (exit.exitCode === 2 && tests.passed + tests.failed === 0);
    const note = collection
      ? `pytest could not collect the tests (exit ${exit.exitCode}): ${this.collectionProblem ?? tailText}`
      : `exit code ${exit.exitCode ?? 'unknown'} but no failing test in the log; last output: ${tailText}`;
    return { ...base, status: 'error', exitCodeMismatch: false, collectionFailure: collection, note: collection ? trimMessage(note) : keepEnd(note) };
  }

  /** Gives each failures-section head to a failed test it names, in order (heads repeat for same-named tests). */
  private assignHeads(failed: Set<string>): Map<string, string> {
    const byFunction = new Map<string, string[]>();
    for (const test of [...failed].sort()) {
      const name = testFunctionName(test);
      const same = byFunction.get(name);
      if (same === undefined) byFunction.set(name, [test]);
      else same.push(test);
    }
    const owners = new Map<string, string>();
    const taken = new Set<string>();
    for (const head of this.heads) {
      const candidates = byFunction.get(headFunctionName(head)) ?? [];
      const owner = candidates.find((test) => !taken.has(test) && headMatchesNodeid(head, test));
      if (owner === undefined) continue;
      taken.add(owner);
      owners.set(owner, head);
    }
    return owners;
  }

  private mergedContext(test: string, headOwners: Map<string, string>): Context {
    const merged = newContext();
    const head = headOwners.get(test);
    const parts = [this.contexts.get(test), head === undefined ? undefined : this.contexts.get(`head:${head}`)];
    for (const part of parts) {
      if (part === undefined) continue;
      for (const [rule, line] of part.matches) {
        const quality = part.quality.get(rule) ?? 1;
        if ((merged.quality.get(rule) ?? -1) >= quality) continue;
        merged.matches.set(rule, line);
        merged.quality.set(rule, quality);
      }
      merged.firstError ??= part.firstError;
    }
    return merged;
  }

  private failureOf(test: string, context: Context, pluginMessage: string | null): Failure {
    for (const rule of this.rules) {
      const line = context.matches.get(rule.id);
      if (line !== undefined) return { test, class: rule.id, message: line };
    }
    if (pluginMessage !== null) {
      const rule = this.rules.find((r) => r.regexes.some((regex) => regex.test(pluginMessage)));
      if (rule) return { test, class: rule.id, message: trimMessage(pluginMessage) };
    }
    const message =
      context.firstError ?? this.summaryMessages.get(test) ?? (pluginMessage === null ? null : trimMessage(pluginMessage)) ??
      (this.crashed.has(test) ? `worker ${this.crashed.get(test)} crashed while running it` : 'failed; the log says no more');
    return { test, class: UNCLASSIFIED, message };
  }

  /** The last non-blank lines of the log, oldest first. */
  private lastLines(): string[] {
    const count = Math.min(this.tailNext, TAIL_BUFFER);
    const lines: string[] = [];
    for (let i = this.tailNext - count; i < this.tailNext; i += 1) {
      const line = this.tail[i % TAIL_BUFFER]!.trim();
      if (line.length > 0) lines.push(line);
    }
    return lines.slice(-TAIL_LINES);
  }

  private countTests(): { passed: number; failed: number } {
    if (this.finalText !== null) return parseFinalCounts(this.finalText);
    let passed = 0;
    let failed = 0;
    for (const outcome of this.outcomes.values()) {
      if (outcome === 'PASSED' || outcome === 'XPASS') passed += 1;
      else if (outcome === 'FAILED' || outcome === 'ERROR') failed += 1;
    }
    return { passed, failed };
  }
}

/** Which tests the plugin saw fail (with their messages) and which were still running when it stopped. */
function summarisePlugin(events: Iterable<PluginEvent>): { failed: Map<string, string | null>; running: Set<string> } {
  const failed = new Map<string, string | null>();
  const running = new Set<string>();
  for (const event of events) {
    if (event.event === 'start') {
      running.add(event.nodeid);
    } else if (event.when === 'teardown' || (event.outcome === 'failed' && event.when !== undefined)) {
      if (event.when === 'teardown') running.delete(event.nodeid);
      if (event.outcome === 'failed' && !failed.has(event.nodeid)) failed.set(event.nodeid, event.message ?? null);
    }
  }
  return { failed, running };
}
