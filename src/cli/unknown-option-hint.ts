/**
 * What to use instead of an option `run` and `hunt` do not know but pytest (or pytest-xdist) does:
 * a user who reruns pytest by hand types `-n 4` or `-k slow` out of habit.
 */
const XDIST_WORKERS = /^(?:-n|--numprocesses(?:=.*)?)$/;
// pytest's options that take a value, and those that do not (the first of each pair of names is enough).
const PYTEST_WITH_VALUE = /^(?:-[km]|--(?:tb|maxfail|durations|capture|deselect|ignore|rootdir|color|log-level|log-cli-level|dist|maxprocesses|reruns|count|randomly-seed|timeout-method))(?:=|$)/;
const PYTEST_FLAG = /^(?:-[xqvrl]|--(?:lf|ff|last-failed|failed-first|runxfail|strict-markers|co|collect-only|exitfirst|pdb|showlocals))$/;

export const PYTEST_COMMANDS: ReadonlySet<string> = new Set(['run', 'hunt']);

export function unknownOptionHint(option: string): string | null {
  if (XDIST_WORKERS.test(option)) return "for pytest-xdist's -n N, use -p N (--parallelism N)";
  const name = option.split('=')[0]!;
  const takesValue = PYTEST_WITH_VALUE.test(option);
  if (!takesValue && !PYTEST_FLAG.test(option)) return null;
  const example = takesValue && !option.includes('=') ? `${option} <value>` : option;
  return `to pass pytest's own ${name}, put it in --pytest-args (e.g. --pytest-args '${example}')`;
}

/** commander's one-line error, with the hint when it is about an option pytest knows. */
export function withUnknownOptionHint(text: string): string {
  const option = /unknown option '([^']+)'/.exec(text)?.[1];
  const hint = option === undefined ? null : unknownOptionHint(option);
  return hint === null ? text : `${text}: ${hint}`;
}
