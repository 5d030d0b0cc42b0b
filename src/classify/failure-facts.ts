/**
 * One failure from its evidence: what the exception (or the death of the process) says, where it
 * was raised, its signature, and the first rule that matches it.
 */
import { type Failure, type FailurePhase, UNCLASSIFIED } from '../core/result.js';
import type { Parallelism, RunExit } from './classification.js';
import { type Context, trimMessage } from './context.js';
import { type ExceptionTrace, type Frame, traceOf, typePrefix } from './exception-trace.js';
import { describeDeath, signalOfExit } from './exit-facts.js';
import { normaliseMessage, PLACEHOLDERS } from './message-normalisation.js';
import { isOwnCode, type NodeIdCanon, splitNodeid } from './node-ids.js';
import type { PluginFailure } from './plugin-record.js';
import type { ProcessEvent } from './process-events.js';
import { testFunctionName } from './pytest-lines.js';
import { type FailureFacts, lineGroups, matchRule } from './rule-match.js';
import { signatureOf } from './signature.js';
import type { LineGroup, TaxonomyRule } from './taxonomy-types.js';

export interface Evidence {
  exit: RunExit;
  parallelism: Parallelism;
  rules: TaxonomyRule[];
  canon: NodeIdCanon;
  /** Canonical node id (a file's path for a collection error), or null for the run as a whole. */
  test: string | null;
  phase: FailurePhase | null;
  /** The test's console output and its failures-section entries. */
  contexts: Context[];
  /** Line-group matches tied to it from elsewhere (the run's `[gw0] …` lines). */
  extraMatches: ReadonlyMap<string, string>;
  plugin: PluginFailure | null;
  summary: string | null;
  /** Its process died (or was stopped) while it was in this phase. */
  died: boolean;
  events: ProcessEvent[];
  crashedOn: string | null;
}

/** What failed and how, before any rule is applied. */
interface Described {
  type: string | null;
  messageLines: string[];
  /** Frames outermost first. */
  frames: Frame[];
  /** The message to show when no rule line says it better. */
  display: string;
  /** The message the signature is made of. */
  signatureMessage: string;
  signal: string | null;
  oomKilled: boolean;
}

/** The type of an exception pytest prints without it: a bare assert, a fixture that does not exist. */
function impliedType(first: string): string | null {
  if (first.startsWith('assert ')) return 'AssertionError';
  if (/^fixture '[^']+' not found$/.test(first)) return '_pytest.fixtures.FixtureLookupError';
  return null;
}

/**
 * pytest's short summary cuts messages to the terminal's width with `...`. Where it cuts moves
 * with the length of the run's details before the cut, so only the text before the first of them
 * is kept (normalised, which normalising again leaves as it is).
 */
function uncut(message: string): string {
  if (!message.endsWith('...')) return message;
  const normalised = normaliseMessage(message.replace(/\S*\.\.\.$/, ''));
  const first = Math.min(...PLACEHOLDERS.map((p) => normalised.indexOf(p)).filter((at) => at >= 0));
  return Number.isFinite(first) ? `${normalised.slice(0, first).trimEnd()} …` : normalised;
}

function splitLines(text: string): string[] {
  return text.split('\n').map((line) => line.trimEnd()).filter((line) => line.length > 0);
}

/** The watchdog's marker without what changes from run to run: `HANG: no output for 15m (--idle-timeout)`. */
function markerText(line: string): string {
  return line.replace(/^\[flakehunt\] /, '').split(/; |\. Last output:/)[0]!;
}

function describeException(e: Evidence): Described | null {
  const trace = e.contexts.find((c) => c.trace !== null && c.trace.firstLine !== null)?.trace ?? null;
  const base = { signal: null, oomKilled: false };
  if (e.plugin !== null && e.plugin.exception === null && e.plugin.message !== null && e.plugin.message.includes('\n')) {
    // No crash entry (a collection error): the plugin kept pytest's whole traceback text.
    const fromText = traceOf(e.plugin.message);
    if (fromText.firstLine !== null) return fromTrace(trace ?? fromText);
  }
  if (e.plugin !== null && (e.plugin.exception !== null || e.plugin.message !== null)) {
    const lines = splitLines(e.plugin.message ?? '');
    const first = lines[0] ?? e.plugin.exception ?? '';
    return { ...base, type: e.plugin.exception ?? typePrefix(first), messageLines: lines, frames: e.plugin.frames, display: trimMessage(trace?.firstLine ?? first), signatureMessage: first };
  }
  return trace === null ? null : fromTrace(trace);
}

function fromTrace(trace: ExceptionTrace): Described {
  const first = trace.firstLine!;
  const type = typePrefix(first) ?? trace.locationType ?? impliedType(first);
  return { signal: null, oomKilled: false, type, messageLines: trace.messageLines, frames: trace.frames, display: trimMessage(first), signatureMessage: first };
}

function describeDeathOf(e: Evidence): Described {
  const stopped = e.exit.killedBy !== null;
  const harness = e.events.find((event) => event.kind === 'hang' || event.kind === 'wall-timeout');
  const fatal = e.events.find((event) => event.kind === 'fatal');
  const dump = e.events.find((event) => event.kind === 'timeout-dump');
  // Under xdist the exit status is the controller's: only the worker's own dump names a signal.
  const signal = stopped ? null : (fatal?.signal ?? (e.parallelism === 'serial' || e.test === null ? signalOfExit(e.exit) : null));
  const oomKilled = !stopped && e.exit.oomKilled === true;
  const frames = [...(fatal ?? dump)?.crashFrames ?? []].reverse();
  const eventLines = e.events.map((event) => event.line);
  const death = describeDeath(e.exit, signal);
  let type: string | null;
  let signatureMessage: string;
  let display: string;
  if (harness !== undefined) {
    type = harness.kind;
    signatureMessage = markerText(harness.line);
    display = harness.line;
  } else if (oomKilled) {
    type = 'OOMKilled';
    signatureMessage = "killed by the kernel's OOM killer";
    display = death;
  } else if (fatal !== undefined) {
    type = signal ?? 'Fatal Python error';
    signatureMessage = fatal.line;
    display = death ? `${death}: ${fatal.line}` : fatal.line;
  } else if (dump !== undefined) {
    type = 'pytest-timeout';
    signatureMessage = 'Timeout';
    display = `${death ? `${death}: ` : ''}pytest-timeout's thread method dumped the stacks and ended the process`;
  } else if (e.crashedOn !== null) {
    type = signal ?? 'worker crash';
    signatureMessage = 'the xdist worker crashed';
    display = `worker ${e.crashedOn} crashed while running it`;
  } else {
    type = signal ?? 'died';
    signatureMessage = 'the process died while the test ran';
    display = death ? `${death}: the process died while the test ran` : 'the process died while the test ran';
  }
  return { type, messageLines: [...eventLines, display], frames, display: trimMessage(display), signatureMessage, signal, oomKilled };
}

/** pytest-timeout's signal method: `Failed: Timeout >90.0s` (before 2.4), `Failed: Timeout (>90.0s) from pytest-timeout.` */
const SIGNAL_METHOD_TIMEOUT = /^(?:Failed: )?Timeout (?:>[\d.]+s|\(>[\d.]+s\) from pytest-timeout\.)$/;

/**
 * The type and message a signature is made of. One signature for a pytest-timeout whichever method
 * fired: the signal method's `Failed` and the thread method's stack dump say the same (the test ran
 * too long, there), and which of them fires depends on how the run was split (xdist falls back on
 * the thread method), not on the test. Rules still see the exception as Python printed it.
 */
function signedAs(d: Described): { type: string | null; message: string } {
  const isSignalMethod = (d.type === 'Failed' || d.type?.endsWith('.Failed') === true) && SIGNAL_METHOD_TIMEOUT.test(d.signatureMessage);
  return isSignalMethod ? { type: 'pytest-timeout', message: 'Timeout' } : { type: d.type, message: d.signatureMessage };
}

function describeOther(e: Evidence): Described {
  const firstError = e.contexts.find((c) => c.firstError !== null)?.firstError ?? null;
  const text = e.summary ?? firstError;
  const base = { frames: [], signal: null, oomKilled: false };
  if (text !== null) return { ...base, type: typePrefix(text), messageLines: [text], display: trimMessage(text), signatureMessage: uncut(text) };
  const line = [...e.extraMatches.values()][0];
  if (line !== undefined) return { ...base, type: null, messageLines: [line], display: trimMessage(line), signatureMessage: line };
  return { ...base, type: null, messageLines: [], display: 'failed; the log says no more', signatureMessage: 'failed; the log says no more' };
}

/** Where it was raised: the innermost frame in the test's own code, else the test itself. */
function locationOf(e: Evidence, frames: Frame[]): string | null {
  const testFile = e.test === null ? null : splitNodeid(e.test)[0];
  for (let i = frames.length - 1; i >= 0; i -= 1) {
    const frame = frames[i]!;
    const file = e.canon.filePath(frame.file);
    if (isOwnCode(file, testFile)) return `${file}::${frame.fn ?? '?'}`;
  }
  if (e.test === null || e.phase === 'collection') return e.test;
  return `${testFile}::${testFunctionName(e.test)}`;
}

/** Every line group some line of the failure's output matched: the most telling line of each. */
function lineMatches(e: Evidence, groups: LineGroup[]): Map<string, string> {
  const matches = new Map<string, string>();
  const quality = new Map<string, number>();
  for (const context of e.contexts) {
    for (const [key, line] of context.matches) {
      const q = context.quality.get(key) ?? 1;
      if ((quality.get(key) ?? -1) >= q) continue;
      matches.set(key, line);
      quality.set(key, q);
    }
  }
  const more = (key: string, line: string) => {
    if (!matches.has(key)) matches.set(key, line);
  };
  for (const event of e.events) for (const [key, line] of event.matches) more(key, line);
  for (const [key, line] of e.extraMatches) more(key, line);
  if (e.plugin?.message) {
    const lines = splitLines(e.plugin.message);
    for (const group of groups) {
      if (matches.has(group.key)) continue;
      const line = lines.find((l) => group.regexes.some((regex) => regex.test(l)));
      if (line !== undefined) matches.set(group.key, trimMessage(line));
    }
  }
  return matches;
}

const groupsByRules = new WeakMap<TaxonomyRule[], LineGroup[]>();

function groupsOf(rules: TaxonomyRule[]): LineGroup[] {
  let groups = groupsByRules.get(rules);
  if (groups === undefined) {
    groups = lineGroups(rules);
    groupsByRules.set(rules, groups);
  }
  return groups;
}

export function describeFailure(e: Evidence): Failure {
  const described = describeException(e) ?? (e.died ? describeDeathOf(e) : describeOther(e));
  const location = locationOf(e, described.frames);
  const { signature, signatureText } = signatureOf({ ...signedAs(described), location });
  const facts: FailureFacts = {
    test: e.test,
    phase: e.phase,
    exception: described.type,
    messageLines: described.messageLines,
    signal: described.signal,
    oomKilled: described.oomKilled,
    exitStatus: e.exit.exitCode,
    parallelism: e.parallelism,
    signature,
    lineMatches: lineMatches(e, groupsOf(e.rules)),
  };
  let cls = UNCLASSIFIED;
  let message = described.display;
  for (const rule of e.rules) {
    const match = matchRule(rule, facts);
    if (match === null) continue;
    cls = rule.id;
    if (match.line !== null) message = match.line;
    break;
  }
  const failure: Failure = { test: e.test, class: cls, message, signature, signatureText };
  if (e.phase !== null) failure.phase = e.phase;
  if (described.type !== null) failure.exception = described.type;
  return failure;
}
