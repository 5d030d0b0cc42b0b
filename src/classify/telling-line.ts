/**
 * The line of a failed command's last output that says what went wrong, for the signature of a
 * run with no test to blame (`--command`). The last line alone is whatever came last: stdout is
 * often flushed after stderr's traceback, so it would give one way of failing two signatures.
 * Earlier kinds say more than later ones; within a kind the last line wins (a chain's final
 * exception, a parent test after its subtests).
 */
const TELLING_LINES: readonly RegExp[] = [
  // An exception as Python, Java or Node print it (`KeyError: 'a'`, `java.lang.IllegalStateException: …`), a Go or Rust panic.
  /^(?:[A-Za-z_$][\w$]*\.)*[A-Z][\w$]*(?:Error|Exception|Exit|Interrupt|Failure)(?::|$)/,
  /^panic: /,
  /^thread '[^']*' panicked at /,
  // A test runner's own failure line: go test, TAP, jest.
  /^--- FAIL: /,
  /^not ok \d+/,
  /^● /,
  // A logger's or a tool's error line.
  /^(?:FATAL|ERROR|Error|error|fatal|FAIL(?:ED)?)\b/,
  /^npm ERR! /,
];

export function tellingLine(tail: readonly string[]): string {
  for (const pattern of TELLING_LINES) {
    for (let i = tail.length - 1; i >= 0; i -= 1) {
      if (pattern.test(tail[i]!)) return tail[i]!;
    }
  }
  return tail[tail.length - 1] ?? '';
}
