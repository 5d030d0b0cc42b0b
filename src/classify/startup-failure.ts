import type { StartupFailure } from './classification.js';

// `ImportError while loading conftest '/suite/conftest.py'.`, then a short traceback and `E   RuntimeError: …`.
const CONFTEST = /^ImportError while loading conftest '([^']+)'\.$/;
// A `-p name` plugin that does not import (pytest 7 and 8).
const PLUGIN = /^ImportError: Error importing plugin "([^"]+)": (.*)$/;
// `__main__.py: error: unrecognized arguments: --nope` (after `ERROR: usage: …`).
const USAGE = /^(?:\S+: )?error: (.+)$/;
// The exception line that ends a Python traceback, at the left margin.
const EXCEPTION_LINE = /^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b.*)$/;
// `/usr/bin/python3: No module named pytest`
const NO_MODULE = /^\S*python[\d.]*: (No module named .+)$/;

/**
 * What the console said before pytest's session began (`test session starts`): when it never
 * began, this is why. Fed only the lines of the log's body until the session header.
 */
export class StartupEvidence {
  private started = false;
  private conftest: string | null = null;
  private conftestError: string | null = null;
  private plugin: { name: string; error: string } | null = null;
  private usage: string | null = null;
  private lastException: string | null = null;
  private noModule: string | null = null;

  sessionStarted(): void {
    this.started = true;
  }

  line(line: string): void {
    if (this.started) return;
    let m = CONFTEST.exec(line);
    if (m) {
      this.conftest ??= m[1]!;
      return;
    }
    if (this.conftest !== null && this.conftestError === null && /^E\s+\S/.test(line)) {
      this.conftestError = line.replace(/^E\s+/, '').trim();
      return;
    }
    m = PLUGIN.exec(line);
    if (m) {
      this.plugin ??= { name: m[1]!, error: m[2]! };
      return;
    }
    m = USAGE.exec(line);
    if (m) this.usage ??= m[1]!;
    m = NO_MODULE.exec(line);
    if (m) this.noModule ??= m[1]!;
    if (EXCEPTION_LINE.test(line)) this.lastException = line.trim();
  }

  /** Why pytest never started its session, or null when it did (or nothing says). */
  failure(usageProblem: string | null): StartupFailure | null {
    if (this.started) return null;
    if (this.conftest !== null) return { what: 'conftest', name: this.conftest, error: this.conftestError ?? this.lastException ?? 'it raised while being imported' };
    if (this.plugin !== null) return { what: 'plugin', name: this.plugin.name, error: this.plugin.error };
    if (usageProblem !== null && /^ERROR: usage/.test(usageProblem)) return { what: 'usage', name: null, error: this.usage ?? usageProblem };
    if (this.noModule !== null) return { what: 'pytest', name: null, error: this.noModule };
    // Any other traceback before the session may be a crash that does not happen every time: not a reason to stop.
    return null;
  }
}

// docker --init's tini when the program cannot be executed: `[FATAL tini (7)] exec nosuchbin failed: No such file or directory`.
const EXEC_FAILED = /^\[FATAL tini \(\d+\)\] exec (.+) failed: (.+)$/;

/**
 * The container's program could not be executed at all (exit 126 or 127 with init's own message
 * as the last words): the same in every iteration, so the sweep stops, under --command as under
 * pytest. A test's script that exits 127 without that message is a failure like any other.
 */
export function execFailure(exitCode: number | null, tail: readonly string[]): StartupFailure | null {
  if (exitCode !== 126 && exitCode !== 127) return null;
  const m = EXEC_FAILED.exec(tail[tail.length - 1] ?? '');
  return m === null ? null : { what: 'command', name: m[1]!, error: `${m[1]} cannot be executed: ${m[2]}` };
}

/** The one line the engine prints when pytest could not start. */
export function describeStartupFailure(failure: StartupFailure, exitCode: number | null): string {
  const code = exitCode === null ? '' : ` (exit ${exitCode})`;
  switch (failure.what) {
    case 'conftest':
      return `pytest could not start${code}: ${failure.name} raised while being imported: ${failure.error}`;
    case 'plugin':
      return `pytest could not start${code}: plugin "${failure.name}" does not import: ${failure.error}`;
    case 'usage':
      return `pytest could not start${code}: ${failure.error}`;
    case 'pytest':
      return `pytest could not start${code}: ${failure.error}`;
    case 'command':
      return `the container's command could not start${code}: ${failure.error}`;
  }
}
