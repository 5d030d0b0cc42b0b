/** Parsers for the lines of pytest's console (verbose mode, with or without pytest-xdist). */

export type Outcome = 'PASSED' | 'FAILED' | 'ERROR' | 'SKIPPED' | 'XFAIL' | 'XPASS' | 'RERUN';

const OUTCOMES = 'PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS|RERUN';

// `tests/x.py::test_a[file] FAILED                                    [ 50%]`; the node id has white
// space only inside its parameter brackets, so stderr glued after it (`t.py::test_x Fatal Python
// error: FAILED   [ 50%]`) is not taken for part of it. `\S+?::` (lazy) finds the first `::`
// going forwards: greedy, it runs to the end of the id and backtracks, twice the time on the
// commonest line of a log, for the same id.
const SERIAL_OUTCOME = new RegExp(`^(\\S+?::[^\\s[]+(?:\\[[^\\]]*\\])?) (${OUTCOMES})(?: \\(.*\\))?\\s+\\[\\s*\\d+%\\]\\s*$`);
// The outcome alone, when the test printed (uncaptured) after its node id.
const BARE_OUTCOME = new RegExp(`^(${OUTCOMES})(?: \\(.*\\))?\\s+\\[\\s*\\d+%\\]\\s*$`);
// An outcome with another process's output glued after it (stdout and stderr interleave byte by
// byte): `FAILED     [ 87%]Fatal Python error: Aborted`.
const GLUED_OUTCOME = new RegExp(`^(${OUTCOMES})(?: \\(.*?\\))?\\s+\\[\\s*\\d+%\\](.+)$`);
// A node id: no white space, except inside its parameter brackets. Output of other processes
// (an xdist worker's stderr) can be glued onto the end of a line without a newline.
const NODE_ID = '\\S+?(?:\\[[^\\]]*\\])?(?=\\s|$)';
// `[gw0] [ 50%] FAILED tests/x.py::test_a[file]`
const XDIST_OUTCOME = new RegExp(`^\\[(gw\\d+)\\] \\[\\s*\\d+%\\] (${OUTCOMES}) (${NODE_ID})`);
// `tests/x.py::test_a ` printed before the test runs; whatever follows on the line is the test's.
const SERIAL_START = /^(\S+?::\S+(?:\[[^\]]*\])?) ?(.*)$/;
// `FAILED tests/x.py::test_a - AssertionError: …` in the short test summary.
const SUMMARY_ENTRY = new RegExp(`^(FAILED|ERROR) (${NODE_ID})(?: - (.*?))?\\s*(?:\\s{2}.*)?$`);
const SECTION = /^={3,} ?(.*?) ?={3,}$/;
const FAILURE_HEAD = /^_{3,} (.+?) _{3,}$/;
const NODE_DOWN = /^\[(gw\d+)\] node down: (.*)$/;
const WORKER_CRASHED = /worker '?(gw\d+)'? crashed while running '?([^']+?)'?\s*$/;
const FINAL_LINE = /^={3,} (.*\b(?:passed|failed|errors?|skipped|deselected|xfailed|xpassed|no tests ran)\b.*?) in [\d.]+s\b.*={3,}$/;
const COLLECTION_PROBLEM = /(?:^|^collecting \.\.\. )(ERROR: (?:file or directory not found|not found|usage|found no collectors|Wrong expression passed to '-[km]').*|Interrupted: \d+ errors? during collection.*|no tests ran.*)$/;
// The characters BARE_OUTCOME and COLLECTION_PROBLEM (both anchored at ^) can start with.
const OUTCOME_INITIALS = [...new Set(OUTCOMES.split('|').map((outcome) => outcome[0]!))].join('');
const PROBLEM_INITIALS = 'EInc';
const ROOTDIR = /^rootdir: (\/\S*?)(?:, (?:configfile|inifile|testpaths|plugins):.*)?$/;
// `[gw0] linux Python 3.11.2 cwd: /suite`: where the workers (and pytest) were started.
const WORKER_CWD = /^\[gw\d+\] .* cwd: (\/.*)$/;

export type PytestLine =
  /** `rest`: what followed the outcome on the same line, when something was glued to it. */
  | { kind: 'outcome'; test: string; outcome: Outcome; worker: string | null; rest?: string }
  | { kind: 'bare-outcome'; outcome: Outcome; rest?: string }
  | { kind: 'rootdir'; dir: string }
  | { kind: 'worker-cwd'; dir: string }
  | { kind: 'start'; test: string; rest: string }
  | { kind: 'summary-entry'; outcome: 'FAILED' | 'ERROR'; target: string; message: string | null }
  | { kind: 'section'; title: string }
  | { kind: 'final'; text: string }
  | { kind: 'failure-head'; head: string }
  | { kind: 'node-down'; worker: string; reason: string }
  | { kind: 'worker-crashed'; worker: string; test: string }
  | { kind: 'collection-problem'; text: string }
  | { kind: 'text' };

/** Shared by every line that is none of the above: most lines of a log. */
const TEXT: PytestLine = Object.freeze({ kind: 'text' });

/** Recognises one console line; `inSummary` tells whether the short test summary section is open. */
export function parsePytestLine(line: string, inSummary: boolean): PytestLine {
  const first = line.charCodeAt(0);
  if (first === 0x5b /* [ */) {
    let m = XDIST_OUTCOME.exec(line);
    if (m) {
      const rest = line.slice(m[0].length);
      return rest.trim().length > 0 ? { kind: 'outcome', test: m[3]!, outcome: m[2] as Outcome, worker: m[1]!, rest } : { kind: 'outcome', test: m[3]!, outcome: m[2] as Outcome, worker: m[1]! };
    }
    m = NODE_DOWN.exec(line);
    if (m) return { kind: 'node-down', worker: m[1]!, reason: m[2]! };
    m = line.includes(' cwd: ') ? WORKER_CWD.exec(line) : null;
    if (m) return { kind: 'worker-cwd', dir: m[1]! };
  }
  if (first === 0x72 /* r */ && line.startsWith('rootdir: ')) {
    const m = ROOTDIR.exec(line);
    if (m) return { kind: 'rootdir', dir: m[1]! };
  }
  if (first === 0x3d /* = */) {
    let m = FINAL_LINE.exec(line);
    if (m) return { kind: 'final', text: m[1]! };
    m = SECTION.exec(line);
    if (m) return { kind: 'section', title: m[1]! };
  }
  if (first === 0x5f /* _ */) {
    const m = FAILURE_HEAD.exec(line);
    if (m) return { kind: 'failure-head', head: m[1]! };
  }
  if (inSummary || (first === 0x46 /* F */ && line.startsWith('FAILED ')) || (first === 0x45 /* E */ && line.startsWith('ERROR '))) {
    const m = SUMMARY_ENTRY.exec(line);
    if (m && (inSummary || m[2]!.includes('::'))) {
      return { kind: 'summary-entry', outcome: m[1] as 'FAILED' | 'ERROR', target: m[2]!, message: m[3] ?? null };
    }
  }
  if (first === 0x77 /* w */ && line.startsWith('worker ') && line.includes('crashed while running')) {
    const m = WORKER_CRASHED.exec(line);
    if (m) return { kind: 'worker-crashed', worker: m[1]!, test: m[2]! };
  }
  // The regexes below run only on lines that pass a cheap test their pattern implies.
  const outcomeTail = endsInPercent(line);
  if (line.includes('::')) {
    let m = outcomeTail ? SERIAL_OUTCOME.exec(line) : null;
    if (m) return { kind: 'outcome', test: m[1]!, outcome: m[2] as Outcome, worker: null };
    m = SERIAL_START.exec(line);
    if (m && !line.startsWith(' ')) {
      const rest = m[2] ?? '';
      const glued = rest.length > 0 && startsWithOneOf(rest, OUTCOME_INITIALS) ? GLUED_OUTCOME.exec(rest) : null;
      if (glued) return { kind: 'outcome', test: m[1]!, outcome: glued[1] as Outcome, worker: null, rest: glued[2]! };
      return { kind: 'start', test: m[1]!, rest };
    }
  }
  const initial = startsWithOneOf(line, OUTCOME_INITIALS);
  const bare = outcomeTail && initial ? BARE_OUTCOME.exec(line) : null;
  if (bare) return { kind: 'bare-outcome', outcome: bare[1] as Outcome };
  const gluedBare = !outcomeTail && initial && line.includes('%]') ? GLUED_OUTCOME.exec(line) : null;
  if (gluedBare) return { kind: 'bare-outcome', outcome: gluedBare[1] as Outcome, rest: gluedBare[2]! };
  const problem = startsWithOneOf(line, PROBLEM_INITIALS) ? COLLECTION_PROBLEM.exec(line) : null;
  if (problem) return { kind: 'collection-problem', text: problem[1]! };
  return TEXT;
}

// Another process's line with pytest's outcome glued to its end: `  File "x.py", line 3 in fFAILED     [ 50%]`, `  File FAILED  [ 87%]`.
const TRAILING_OUTCOME = new RegExp(`^(.*?\\S)\\s*(${OUTCOMES})(?: \\(.*?\\))?\\s+\\[\\s*\\d+%\\]\\s*$`);

/**
 * A line that is another process's text with an outcome glued on at its end, split in two; null
 * for anything else (pytest's own outcome lines included).
 */
export function splitTrailingOutcome(line: string): { text: string; outcome: Outcome } | null {
  if (!endsInPercent(line) || SERIAL_OUTCOME.test(line) || BARE_OUTCOME.test(line) || line.startsWith('[gw')) return null;
  const m = TRAILING_OUTCOME.exec(line);
  return m ? { text: m[1]!, outcome: m[2] as Outcome } : null;
}

function startsWithOneOf(line: string, initials: string): boolean {
  return line.length > 0 && initials.includes(line[0]!);
}

/**
 * Whether the line ends in `%]` once trailing white space is dropped, as SERIAL_OUTCOME and
 * BARE_OUTCOME require (`%\]\s*$`). trimEnd removes exactly what `\s` matches.
 */
function endsInPercent(line: string): boolean {
  const last = line.charCodeAt(line.length - 1);
  if (last === 0x5d /* ] */) return line.charCodeAt(line.length - 2) === 0x25 /* % */;
  // Printable ASCII other than `]` cannot be trailing white space.
  if (last > 0x20 && last < 0x7f) return false;
  return line.trimEnd().endsWith('%]');
}

/** `tests/x.py::TestA::test_b[p]` → `test_b`: the name stack dumps and failure heads use. */
export function testFunctionName(nodeid: string): string {
  const last = nodeid.slice(nodeid.lastIndexOf('::') + 2);
  const bracket = last.indexOf('[');
  return bracket === -1 ? last : last.slice(0, bracket);
}

/** The function a failures-section head names: `TestA.test_b[p]` and `ERROR at setup of test_b` → `test_b`. */
export function headFunctionName(head: string): string {
  const bare = head.replace(/^ERROR at (?:setup|teardown|call) of /, '');
  const bracket = bare.indexOf('[');
  const name = bracket === -1 ? bare : bare.slice(0, bracket);
  return name.slice(name.lastIndexOf('.') + 1);
}

/** Whether a failure-section head (`TestA.test_b[p]`, `ERROR at setup of test_b`) names this node id. */
export function headMatchesNodeid(head: string, nodeid: string): boolean {
  const bare = head.replace(/^ERROR at (?:setup|teardown|call) of /, '');
  const bracket = bare.indexOf('[');
  const name = bracket === -1 ? bare : bare.slice(0, bracket);
  const asNodeid = name.replace(/\./g, '::') + (bracket === -1 ? '' : bare.slice(bracket));
  return nodeid === asNodeid || nodeid.endsWith(`::${asNodeid}`);
}

/** Counts in pytest's last line (`1 failed, 2 passed, 1 error in 3.2s`). */
export function parseFinalCounts(text: string): { passed: number; failed: number } {
  const count = (word: RegExp) => {
    const m = word.exec(text);
    return m ? Number(m[1]) : 0;
  };
  return { passed: count(/(\d+) passed/), failed: count(/(\d+) failed/) + count(/(\d+) errors?\b/) };
}
