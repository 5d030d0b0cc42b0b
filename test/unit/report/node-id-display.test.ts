import { describe, expect, it } from 'vitest';

import { commonPrefix, fitNodeId, shortenNodeIds } from '../../../src/report/node-id-display.js';

const SEED = 'tests/router/test_router_e2e_with_mockers.py::';

describe('node ids on a screen', () => {
  it('leaves out the shared path and module, keeps the parametrization that tells tests apart', () => {
    const ids = [`${SEED}test_indexers_sync[nats_core]`, `${SEED}test_indexers_sync[jetstream]`, `${SEED}test_router_decisions[jetstream-tcp]`];
    const shown = shortenNodeIds(ids, 40);
    expect([...shown.values()]).toEqual(['…test_indexers_sync[nats_core]', '…test_indexers_sync[jetstream]', '…test_router_decisions[jetstream-tcp]']);
  });

  it('cuts the start, never the end, when still too long', () => {
    expect(fitNodeId(`${SEED}test_indexers_sync[jetstream]`, 30)).toBe('…test_indexers_sync[jetstream]');
    const shown = shortenNodeIds(['a/x.py::test_a_very_long_name_here[p1]', 'b/y.py::t'], 20);
    expect(shown.get('a/x.py::test_a_very_long_name_here[p1]')).toBe('…_long_name_here[p1]');
    expect(shown.get('a/x.py::test_a_very_long_name_here[p1]')!.endsWith('[p1]')).toBe(true);
    expect(shown.get('a/x.py::test_a_very_long_name_here[p1]')!.length).toBe(20);
  });

  it('the common start ends at a separator, and there is none for one id', () => {
    expect(commonPrefix(['t/a.py::test_ab', 't/a.py::test_ac'])).toBe('t/a.py::');
    expect(commonPrefix(['t/a.py::x', 't/b.py::y'])).toBe('t/');
    expect(commonPrefix(['x'])).toBe('');
    expect(commonPrefix(['a.py::x', 'b.py::y'])).toBe('');
  });
});

describe('commonPrefix without a shared separator', () => {
  it('is empty when the ids share only the start of a file name (it cut their first character)', () => {
    expect(commonPrefix(['test_order_pair.py::test_a', 'test_other.py::test_b'])).toBe('');
    expect(shortenNodeIds(['test_order_pair.py::test_b_uses_registered_plugin', 'test_other.py::test_b'], 60).get('test_order_pair.py::test_b_uses_registered_plugin')).toBe('test_order_pair.py::test_b_uses_registered_plugin');
  });
});
