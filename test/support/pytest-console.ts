/** Console output of small pytest runs, as the engine's unit tests feed them to the fake executor. */
export const bar = (title: string) => `${'='.repeat(30)} ${title} ${'='.repeat(30)}`;

export function passingRun(test = 't.py::test_a'): string[] {
  return [bar('test session starts'), `${test} PASSED${' '.repeat(40)}[100%]`, bar('1 passed in 0.01s')];
}

/** A run whose one test fails with `message` (the A1 wording of the bundled taxonomy by default). */
export function failingRun(message = 'AssertionError: Expected exactly 1 (worker_id, dp_rank) to have events', test = 't.py::test_router_decisions'): string[] {
  const name = test.slice(test.lastIndexOf('::') + 2);
  return [
    bar('test session starts'),
    `${test} FAILED${' '.repeat(40)}[100%]`,
    bar('FAILURES'),
    `${'_'.repeat(20)} ${name} ${'_'.repeat(20)}`,
    `E       ${message}`,
    bar('short test summary info'),
    `FAILED ${test} - ${message}`,
    bar('1 failed in 0.01s'),
  ];
}

/** pytest finding nothing to run (exit 4). */
export function uncollectableRun(target = 'tests/nope.py'): string[] {
  return [bar('test session starts'), `ERROR: file or directory not found: ${target}`, '', bar('no tests ran in 0.01s')];
}
