import { describe, expect, it } from 'vitest';

import type { PluginEvent, RunExit } from '../../../src/classify/classification.js';
import { RunClassifier } from '../../../src/classify/classifier.js';
import { compileTaxonomy } from '../../../src/classify/taxonomy-loader.js';
import type { TaxonomyRuleSpec } from '../../../src/classify/taxonomy-types.js';
import { UNCLASSIFIED } from '../../../src/core/result.js';
import { HEADER, serialFailure } from './helpers.js';

/** A taxonomy of these rules (then the generic layer), for one classification of `log`. */
function classWith(rules: Array<Omit<TaxonomyRuleSpec, 'title' | 'kind'>>, log: string, opts: { parallelism?: 'serial' | 'xdist'; exit?: Partial<RunExit>; plugin?: PluginEvent[] } = {}): string[] {
  const taxonomy = compileTaxonomy({ name: 't', rules: rules.map((r) => ({ title: r.id, kind: 'test-bug', ...r })) }, '/t.json');
  const classifier = new RunClassifier(taxonomy, opts.parallelism ?? 'serial', 'pytest');
  for (const line of log.split('\n')) classifier.line(line);
  return classifier.finish({ exitCode: 1, killedBy: null, ...opts.exit }, opts.plugin ?? []).failures.map((f) => f.class);
}

const keyError = (name = 'test_x') => serialFailure(["E       KeyError: 'decode_worker_id'"], { name });
const connection = serialFailure(["E       requests.exceptions.ConnectionError: HTTPSConnectionPool(host='huggingface.co', port=443): Read timed out."]);

/** A serial console cut short while test_x ran (its process died), and the plugin's records of it. */
const DIED = [HEADER, 't.py::test_y PASSED                                                    [ 50%]', 't.py::test_x '].join('\n');
const DIED_PLUGIN: PluginEvent[] = [
  { event: 'session', rootdir: '/suite', invocationDir: '/suite', worker: 'main' },
  { event: 'start', nodeid: 't.py::test_y', path: '/suite/t.py', worker: 'main' },
  { event: 'report', nodeid: 't.py::test_y', when: 'teardown', outcome: 'passed' },
  { event: 'start', nodeid: 't.py::test_x', path: '/suite/t.py', worker: 'main' },
  { event: 'report', nodeid: 't.py::test_x', when: 'setup', outcome: 'passed' },
];

describe('rule conditions: every condition given must hold', () => {
  it('test: a regular expression searched for in the canonical node id', () => {
    const rules = [{ id: 'R', when: { test: '::test_router_decisions(?:\\[|$)' } }];
    expect(classWith(rules, keyError('test_router_decisions[tcp]'))).toEqual(['R']);
    expect(classWith(rules, keyError('test_router_decisions_old'))).toEqual([UNCLASSIFIED]);
  });

  it('exception: the type as printed, its last part, or a pattern with *', () => {
    expect(classWith([{ id: 'R', when: { exception: ['KeyError'] } }], keyError())).toEqual(['R']);
    expect(classWith([{ id: 'R', when: { exception: ['ConnectionError'] } }], connection)).toEqual(['R']);
    expect(classWith([{ id: 'R', when: { exception: ['requests.exceptions.ConnectionError'] } }], connection)).toEqual(['R']);
    expect(classWith([{ id: 'R', when: { exception: ['requests.*'] } }], connection)).toEqual(['R']);
    expect(classWith([{ id: 'R', when: { exception: ['urllib3.exceptions.ConnectionError'] } }], connection)).toEqual([UNCLASSIFIED]);
    expect(classWith([{ id: 'R', when: { exception: ['Error'] } }], keyError())).toEqual([UNCLASSIFIED]);
  });

  it('phase: setup, call, teardown (and collection)', () => {
    const setupError = [
      HEADER,
      't.py::test_x ERROR                                                     [100%]',
      '',
      '==================================== ERRORS ====================================',
      '_______________________ ERROR at setup of test_x ________________________',
      'E       OSError: port 8000 already in use',
      '=========================== short test summary info ============================',
      'ERROR t.py::test_x - OSError: port 8000 already in use',
      '============================== 1 error in 0.20s ================================',
    ].join('\n');
    expect(classWith([{ id: 'R', when: { phase: ['setup'] } }], setupError)).toEqual(['R']);
    expect(classWith([{ id: 'R', when: { phase: ['call'] } }], setupError)).toEqual(['fixture-error']);
    expect(classWith([{ id: 'R', when: { phase: ['call'] } }], keyError())).toEqual(['R']);
  });

  it('message: some line of the exception; output: some line of what the test printed', () => {
    const log = serialFailure(["E       KeyError: 'decode_worker_id'", '----------------------------- Captured stdout call -----------------------------', 'router restarted']);
    expect(classWith([{ id: 'R', when: { message: ['decode_worker'] } }], log)).toEqual(['R']);
    expect(classWith([{ id: 'R', when: { message: ['router restarted'] } }], log)).toEqual([UNCLASSIFIED]);
    expect(classWith([{ id: 'R', when: { output: ['router restarted'] } }], log)).toEqual(['R']);
    expect(classWith([{ id: 'R', patterns: ['router restarted'] }], log)).toEqual(['R']);
  });

  it('all of them at once: each must hold', () => {
    const rule = { id: 'R', when: { test: '::test_x$', exception: ['KeyError'], phase: ['call' as const], message: ['decode'], exitStatus: [1] } };
    expect(classWith([rule], keyError())).toEqual(['R']);
    expect(classWith([rule], keyError(), { exit: { exitCode: 2 } })).toEqual([UNCLASSIFIED]);
    expect(classWith([{ ...rule, when: { ...rule.when, message: ['nope'] } }], keyError())).toEqual([UNCLASSIFIED]);
    expect(classWith([{ ...rule, patterns: ['never printed'] }], keyError())).toEqual([UNCLASSIFIED]);
  });

  it('a list of `when` entries: any one of them', () => {
    const rule = { id: 'R', when: [{ exception: ['ValueError'] }, { message: ['decode_worker_id'] }] };
    expect(classWith([rule], keyError())).toEqual(['R']);
  });

  it('parallelism: serial or xdist', () => {
    expect(classWith([{ id: 'R', when: { parallelism: 'xdist', exception: ['KeyError'] } }], keyError())).toEqual([UNCLASSIFIED]);
    expect(classWith([{ id: 'R', when: { parallelism: 'serial', exception: ['KeyError'] } }], keyError())).toEqual(['R']);
  });

  it('signal and exitStatus: of the process that died under the test (from the exit status here)', () => {
    const rules = [{ id: 'ABRT', when: { signal: ['SIGABRT'] } }, { id: 'SEGV', when: { signal: ['SIGSEGV'], exitStatus: [139] } }];
    expect(classWith(rules, DIED, { exit: { exitCode: 134 }, plugin: DIED_PLUGIN })).toEqual(['ABRT']);
    expect(classWith(rules, DIED, { exit: { exitCode: -6 }, plugin: DIED_PLUGIN })).toEqual(['ABRT']);
    expect(classWith(rules, DIED, { exit: { exitCode: 139 }, plugin: DIED_PLUGIN })).toEqual(['SEGV']);
    expect(classWith(rules, DIED, { exit: { exitCode: 1, signal: 'SIGSEGV' }, plugin: DIED_PLUGIN })).toEqual(['crash']);
    // A test that failed on its own is not charged with how the run ended.
    expect(classWith(rules, keyError(), { exit: { exitCode: 134 } })).toEqual([UNCLASSIFIED]);
  });

  it('oomKilled: true for the test whose process the OOM killer ended, false otherwise', () => {
    const rules = [{ id: 'MEM', when: { oomKilled: true } }, { id: 'OTHER', when: { oomKilled: false, signal: ['SIGKILL'] } }];
    expect(classWith(rules, DIED, { exit: { exitCode: 137, oomKilled: true, memoryLimitBytes: 64 << 20 }, plugin: DIED_PLUGIN })).toEqual(['MEM']);
    expect(classWith(rules, DIED, { exit: { exitCode: 137, oomKilled: false }, plugin: DIED_PLUGIN })).toEqual(['OTHER']);
  });

  it('signature: the failure signature itself', () => {
    const taxonomy = compileTaxonomy({ name: 't', rules: [{ id: 'X', title: 'x', kind: 'test-bug', patterns: ['never'] }] }, '/t.json');
    const classifier = new RunClassifier(taxonomy, 'serial', 'pytest');
    for (const line of keyError().split('\n')) classifier.line(line);
    const signature = classifier.finish({ exitCode: 1, killedBy: null }).failures[0]!.signature!;
    expect(classWith([{ id: 'R', when: { signature: [signature] } }], keyError())).toEqual(['R']);
    expect(classWith([{ id: 'R', when: { signature: ['000000000000'] } }], keyError())).toEqual([UNCLASSIFIED]);
  });

  it('rules are tried in order: the first that matches names the class', () => {
    expect(classWith([{ id: 'FIRST', when: { exception: ['KeyError'] } }, { id: 'SECOND', when: { message: ['decode'] } }], keyError())).toEqual(['FIRST']);
  });
});
