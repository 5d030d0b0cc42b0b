import { describe, expect, it } from 'vitest';

import { tellingLine } from '../../../src/classify/telling-line.js';

describe("the telling line of a failed command's last output", () => {
  it("a traceback's exception, wherever stdout's buffered line landed", () => {
    const tracebackFirst = ['Traceback (most recent call last):', 'File "/suite/flaky.py", line 8, in <module>', 'raise KeyError("session-%d" % os.getpid())', "KeyError: 'session-7'", 'checking connection to 10.0.0.229 port 12900'];
    const stdoutFirst = ['checking connection to 10.0.0.65 port 33218', ...tracebackFirst.slice(0, 4)];
    expect(tellingLine(tracebackFirst)).toBe("KeyError: 'session-7'");
    expect(tellingLine(stdoutFirst)).toBe("KeyError: 'session-7'");
  });

  it('the last exception of a chain, dotted and Java-style names, Go and Rust panics', () => {
    expect(tellingLine(["KeyError: 'a'", 'During handling of the above exception, another exception occurred:', 'RuntimeError: wrapped'])).toBe('RuntimeError: wrapped');
    expect(tellingLine(['at Foo.bar(Foo.java:3)', 'java.lang.IllegalStateException: closed'])).toBe('java.lang.IllegalStateException: closed');
    expect(tellingLine(['goroutine 1 [running]:', 'panic: runtime error: index out of range [3] with length 3', 'exit status 2'])).toBe('panic: runtime error: index out of range [3] with length 3');
    expect(tellingLine(["thread 'main' panicked at src/main.rs:2:5:", 'note: run with `RUST_BACKTRACE=1`'])).toBe("thread 'main' panicked at src/main.rs:2:5:");
  });

  it("a test runner's failure line over its trailer, an error line over ordinary output", () => {
    expect(tellingLine(['=== RUN   TestX', 'x_test.go:9: got 1, want 2', '--- FAIL: TestX (0.00s)', 'FAIL', 'exit status 1', 'FAIL\texample.com/x\t0.002s'])).toBe('--- FAIL: TestX (0.00s)');
    expect(tellingLine(['ERROR: connection refused after 3.867s', 'checking connection to 10.0.0.156 port 21392'])).toBe('ERROR: connection refused after 3.867s');
  });

  it('the last line when none says more; nothing when there was no output', () => {
    expect(tellingLine(['starting', 'giving up'])).toBe('giving up');
    expect(tellingLine(['TracebackError-free text', 'Errorless, errorless', 'done'])).toBe('done');
    expect(tellingLine([])).toBe('');
  });
});
