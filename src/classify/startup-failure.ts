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
  }
}
