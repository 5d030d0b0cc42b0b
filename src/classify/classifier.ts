import { AnyRule } from './any-rule.js';
import { attribute, type Head, type StreamedRun } from './attribution.js';
import type { Classification, Parallelism, PluginEvent, RunExit, RunnerMode } from './classification.js';
import { type Context, newContext, own, trimMessage } from './context.js';
import { ExceptionTrace } from './exception-trace.js';
import { EVENT_PATTERNS, ProcessEventReader } from './process-events.js';
import { type Outcome, parsePytestLine, splitTrailingOutcome } from './pytest-lines.js';
import { lineGroups } from './rule-match.js';
import { StartupEvidence } from './startup-failure.js';
import type { LineGroup, Taxonomy, TaxonomyRule } from './taxonomy-types.js';

const TAIL_LINES = 8;
/** Lines kept to find the last TAIL_LINES non-blank ones among. */
const TAIL_BUFFER = 32;
/** Strings kept from the first this many characters of a log are not copied (see keep()). */
const COPY_AFTER_CHARS = 4 * 1024 * 1024;

type Section = 'body' | 'failures' | 'errors' | 'summary' | 'other';

/** How telling a matching line is: pytest's `E ` lines beat plain output, which beats traceback source lines. */
function lineQuality(line: string): number {
  if (/^E\s/.test(line)) return 2;
  if (/^[\s>]/.test(line)) return 0;
  return 1;
}

/** The rules that apply under a parallelism, and the line groups scanned for them. */
export interface ApplicableRules {
  rules: TaxonomyRule[];
  groups: LineGroup[];
  anyRule: AnyRule;
}
const rulesByTaxonomy = new WeakMap<Taxonomy, Map<Parallelism, ApplicableRules>>();

/** The rules that apply under a parallelism, and their combined test: made once per taxonomy, not per log. */
function rulesFor(taxonomy: Taxonomy, parallelism: Parallelism): ApplicableRules {
  let byParallelism = rulesByTaxonomy.get(taxonomy);
  if (byParallelism === undefined) rulesByTaxonomy.set(taxonomy, (byParallelism = new Map()));
  let entry = byParallelism.get(parallelism);
  if (entry === undefined) {
    const rules = taxonomy.rules
      .map((rule) => ({ ...rule, alternatives: rule.alternatives.filter((c) => c.parallelism === undefined || c.parallelism === parallelism) }))
      .filter((rule) => rule.alternatives.length > 0);
    const groups = lineGroups(rules);
    entry = { rules, groups, anyRule: new AnyRule([...groups, { regexes: [...EVENT_PATTERNS] }]) };
    byParallelism.set(parallelism, entry);
  }
  return entry;
}

/**
 * Streams a console log line by line and works out which tests failed and how, in memory bounded
 * by the number of tests, not the size of the log. The same class classifies live (fed as the
 * output streams) and offline (fed from run.log); finish() gives the answer.
 */
export class RunClassifier {
  private readonly applicable: ApplicableRules;
  /** Tests' outcomes; in a serial run, passes only counted (most lines of a big log are passes). */
  private readonly outcomes = new Map<string, Outcome>();
  private passed = 0;
  /** The last test that passed, whose teardown's ERROR may follow. */
  private lastPassed: string | null = null;
  /** A test's previous outcome, when a second one came (`PASSED` then `ERROR` at teardown). */
  private readonly earlierOutcomes = new Map<string, Outcome>();
  private readonly summaryMessages = new Map<string, string>();
  private readonly contexts = new Map<string, Context>();
  private readonly heads: Head[] = [];
  private readonly crashed = new Map<string, string>();
  private readonly xdistRunning = new Set<string>();
  private readonly events = new ProcessEventReader();
  private readonly startup = new StartupEvidence();
  /** The last lines of the log, a ring (blank lines are filtered out when it is read). */
  private readonly tail: string[] = [];
  private tailNext = 0;
  private section: Section = 'body';
  /** The Context key of the current failure head (`head:<n>`), made once per head rather than per line. */
  private headKey: string | null = null;
  private headTrace: ExceptionTrace | null = null;
  private inProgress: string | null = null;
  /** Characters of the log seen so far. */
  private seen = 0;
  private finalText: string | null = null;
  private collectionProblem: string | null = null;
  private rootdir: string | null = null;
  private workerCwd: string | null = null;
  /** A console node id climbed out of the invocation directory (`../…`). */
  private climbsOut = false;
  /** The last line of an `INTERNALERROR>` traceback: what made pytest itself crash. */
  private internalError: string | null = null;
  /** The last line (or glued-on text) that was no pytest line: the start of a stderr line, perhaps. */
  private fragment: string | null = null;

  constructor(
    taxonomy: Taxonomy,
    private readonly parallelism: Parallelism,
    private readonly mode: RunnerMode,
  ) {
    this.applicable = rulesFor(taxonomy, parallelism);
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
    if (this.events.dumping) {
      // stdout's `FAILED  [ 50%]` glued to the end of a line of the dump: the running test's outcome.
      const glued = splitTrailingOutcome(line);
      if (glued !== null) {
        if (this.inProgress !== null && this.section === 'body') this.outcome(this.inProgress, glued.outcome);
        this.events.dump(glued.text);
        this.pytestLine(glued.text);
        return;
      }
    }
    this.events.dump(line);
    this.pytestLine(line);
  }

  private pytestLine(line: string): void {
    const parsed = parsePytestLine(line, this.section === 'summary');
    const before = this.fragment;
    this.fragment = parsed.kind === 'text' ? line : null;
    if (parsed.kind === 'start') this.fragment = before;
    switch (parsed.kind) {
      case 'outcome':
        if (this.section !== 'body') break;
        this.outcome(parsed.test, parsed.outcome);
        // xdist's line ends with the space after the node id; a serial outcome's glued text follows `%]`.
        if (parsed.rest !== undefined && !this.continued(parsed.worker !== null ? parsed.rest.replace(/^ /, '') : parsed.rest)) this.pytestLine(parsed.rest);
        return;
      case 'bare-outcome':
        if (this.section === 'body' && this.inProgress !== null) {
          this.outcome(this.inProgress, parsed.outcome);
          this.inProgress = null;
        }
        if (parsed.rest !== undefined && !this.continued(parsed.rest)) this.pytestLine(parsed.rest);
        return;
      case 'start': {
        if (this.section !== 'body') break;
        if (parsed.test.startsWith('../')) this.climbsOut = true;
        if (parsed.rest.length > 0 && this.stderrAfterNodeid(parsed.test, parsed.rest)) {
          this.fragment = null;
          return;
        }
        if (this.parallelism === 'xdist') {
          // xdist prints a node id when a worker starts it; several run at once.
          if (parsed.rest.trim().length === 0 && !this.outcomes.has(parsed.test)) this.xdistRunning.add(own(parsed.test));
          break;
        }
        this.inProgress = this.keep(parsed.test);
        if (parsed.rest.length > 0) this.content(parsed.rest, parsed.test);
        return;
      }
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
          this.openHead(own(parsed.head));
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
        // xdist names the test as pytest keeps it, not as the console prints it.
        this.content(line, `crash:${parsed.test}`);
        return;
      case 'collection-problem':
        // pytest says why after its final `no tests ran` line (`ERROR: file or directory not found: …`): the why is the problem.
        if (this.collectionProblem === null || (/^no tests ran/.test(this.collectionProblem) && !/^no tests ran/.test(parsed.text))) this.collectionProblem = own(parsed.text);
        break;
      case 'rootdir':
        this.rootdir ??= own(parsed.dir);
        break;
      case 'worker-cwd':
        this.workerCwd ??= own(parsed.dir);
        break;
      case 'text':
        // pytest itself crashed (a plugin's hook raised, pytest-timeout fired between tests): the run's, not the running test's.
        if (line.charCodeAt(0) === 0x49 /* I */ && line.startsWith('INTERNALERROR> ')) {
          this.internalError = own(line.slice('INTERNALERROR> '.length));
          this.content(line, 'run');
          return;
        }
        if (this.section === 'body' && this.finalText === null) this.startup.line(line);
        break;
    }
    this.content(line, this.currentKey());
  }

  /**
   * The text after a node id, when it is another process's (stderr) rather than the test's own
   * output: the end of a line of a dump that stdout cut in two, the start of an event whose first
   * bytes ended the line before, or a dump line with the test's outcome glued to its end. Handles
   * it and says so; the node id still says which test started.
   */
  private stderrAfterNodeid(test: string, rest: string): boolean {
    const running = () => {
      if (this.parallelism === 'serial') this.inProgress = this.keep(test);
    };
    if (this.continued(rest)) {
      running();
      return true;
    }
    const joined = this.fragment === null ? null : this.events.startsCut(this.fragment, rest);
    if (joined !== null) {
      running();
      this.content(joined, 'run');
      return true;
    }
    const glued = this.events.dumping || /Fatal Python error:|\+{5,} Timeout/.test(rest) ? splitTrailingOutcome(rest) : null;
    if (glued !== null) {
      running();
      this.content(glued.text, 'run');
      this.outcome(test, glued.outcome);
      return true;
    }
    return false;
  }

  /**
   * Whether the text after a node id (or an outcome) ends a stderr line of an open dump that
   * stdout cut short; if so the dump has it, and an event that got its words back its matches.
   */
  private continued(rest: string): boolean {
    if (!this.events.dumping) return false;
    const { consumed, completed } = this.events.continuation(rest);
    if (completed !== null) {
      for (const group of this.applicable.groups) if (group.regexes.some((regex) => regex.test(completed.line))) completed.matches.set(group.key, trimMessage(completed.line));
    }
    return consumed;
  }

  private outcome(test: string, outcome: Outcome): void {
    if (test.charCodeAt(0) === 0x2e /* . */ && test.startsWith('../')) this.climbsOut = true;
    if (outcome === 'PASSED' || outcome === 'XPASS') {
      this.passed += 1;
      this.lastPassed = test;
      if (this.parallelism === 'xdist') this.outcomes.set(this.keep(test), outcome);
    } else {
      // A teardown's ERROR comes after the test's own outcome, which tells the phase apart.
      if (outcome === 'ERROR') {
        const before = this.outcomes.get(test) ?? (test === this.lastPassed ? 'PASSED' : undefined);
        if (before !== undefined && before !== 'ERROR') this.earlierOutcomes.set(this.keep(test), before);
        if (before === 'PASSED' || before === 'XPASS') this.passed -= 1;
      }
      this.outcomes.set(this.keep(test), outcome);
    }
    if (this.parallelism === 'xdist') this.xdistRunning.delete(test);
    if (test === this.inProgress) this.inProgress = null;
  }

  private openSection(title: string): void {
    this.headKey = null;
    this.headTrace = null;
    if (title === 'FAILURES') this.section = 'failures';
    else if (title === 'ERRORS') this.section = 'errors';
    else if (title === 'short test summary info') this.section = 'summary';
    else if (title === 'test session starts') {
      this.section = 'body';
      this.startup.sessionStarted();
    } else if (this.section === 'body' && title === '') this.section = 'body';
    else this.section = 'other';
  }

  private openHead(head: string): void {
    const key = `head:${this.heads.length}`;
    const collecting = /^ERROR collecting (.+)$/.exec(head);
    if (collecting) this.collectionProblem ??= head;
    this.heads.push({ head, key, collecting: collecting?.[1] ?? null });
    this.headKey = key;
    const context = this.context(key);
    context.trace = new ExceptionTrace();
    this.headTrace = context.trace;
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
   * Looks for rule matches and a first `E ` line in a line, for the Context `key`, and feeds the
   * traceback of a failures-section entry. A line that says a process died (a fatal error, a
   * timeout dump, the watchdog's marker) is kept as a process event instead, whoever's line it
   * was glued to. A Context is created only when the line may add to it: finish() treats an
   * empty Context and a missing one alike.
   */
  private content(line: string, key: string): void {
    if (this.headTrace !== null && key === this.headKey) this.headTrace.line(line);
    if (line.charCodeAt(0) === 0x45 /* E */ && /^E\s{2,}\S/.test(line)) this.context(key).firstError ??= trimMessage(line);
    if (!this.applicable.anyRule.test(line)) return;
    const event = this.section === 'body' || this.section === 'other' ? this.events.start(line, key) : null;
    if (event !== null) {
      for (const group of this.applicable.groups) if (group.regexes.some((regex) => regex.test(line))) event.matches.set(group.key, trimMessage(event.line));
      return;
    }
    let context: Context | null = null;
    const quality = lineQuality(line);
    for (const group of this.applicable.groups) {
      context ??= this.context(key);
      if ((context.quality.get(group.key) ?? -1) >= quality) continue;
      if (!group.regexes.some((regex) => regex.test(line))) continue;
      context.matches.set(group.key, trimMessage(line));
      context.quality.set(group.key, quality);
      const worker = /^\[(gw\d+)\]/.exec(line);
      if (worker) context.workers.add(own(worker[1]!));
    }
  }

  /** Decides the iteration's status and failures once the log has ended. */
  finish(exit: RunExit, pluginEvents: Iterable<PluginEvent> = []): Classification {
    const run: StreamedRun = {
      mode: this.mode,
      parallelism: this.parallelism,
      rules: this.applicable.rules,
      outcomes: this.outcomes,
      passed: this.passed,
      earlierOutcomes: this.earlierOutcomes,
      summaryMessages: this.summaryMessages,
      contexts: this.contexts,
      heads: this.heads,
      crashed: this.crashed,
      xdistRunning: this.xdistRunning,
      events: this.events.events,
      inProgress: this.inProgress,
      finalText: this.finalText,
      collectionProblem: this.collectionProblem,
      dirs: { rootdir: this.rootdir, invocationDir: this.workerCwd },
      climbsOut: this.climbsOut,
      startup: this.startup,
      internalError: this.internalError,
      tail: this.lastLines(),
    };
    return attribute(run, exit, pluginEvents);
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
}
