/**
 * A pytest node id as pytest's own junitxml names it (`mangle_test_address`): the file path with
 * `/` as `.` and without `.py`, then every `::` part but the last, joined by `.`, is the classname;
 * the last part, with its `[params]`, is the name. `tests/router/test_a.py::TestX::test_b[tcp]` →
 * classname `tests.router.test_a.TestX`, name `test_b[tcp]`. Brackets are split off first, so a
 * `::` or `/` inside the parameters stays in the name.
 */
export function junitNames(nodeid: string): { classname: string; name: string } {
  const bracket = nodeid.indexOf('[');
  const path = bracket >= 0 ? nodeid.slice(0, bracket) : nodeid;
  const params = bracket >= 0 ? nodeid.slice(bracket) : '';
  const names = path.split('::');
  names[0] = (names[0] ?? '').replaceAll('/', '.').replace(/\.py$/, '');
  const name = (names.pop() ?? '') + params;
  return { classname: names.join('.'), name };
}
