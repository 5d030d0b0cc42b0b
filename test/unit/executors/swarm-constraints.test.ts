import { describe, expect, it } from 'vitest';

import { UsageError } from '../../../src/core/errors.js';
import { nodeMatches, parseConstraint } from '../../../src/executors/swarm/constraints.js';
import type { SwarmNode } from '../../../src/executors/swarm/swarm-types.js';

const node: SwarmNode = {
  ID: 'tni2vuz79yruylm3w4iynsumx',
  Version: { Index: 1 },
  Spec: { Role: 'worker', Availability: 'active', Labels: { pool: 'CI', Gpu: 'yes' } },
  Description: { Hostname: 'flakehunt-worker1', Platform: { OS: 'linux', Architecture: 'x86_64' }, Engine: { Labels: { zone: 'a' } } },
  Status: { State: 'ready', Addr: '10.213.47.12' },
};

const matches = (...texts: string[]) => nodeMatches(texts.map(parseConstraint), node);

describe('swarm placement constraints (as swarmkit matches them)', () => {
  it('compares values case-insensitively, label names case-sensitively', () => {
    expect(matches('node.hostname==FLAKEHUNT-worker1')).toBe(true);
    expect(matches('node.role == worker', 'node.platform.os==Linux')).toBe(true);
    expect(matches('node.labels.pool==ci')).toBe(true);
    expect(matches('node.labels.gpu==yes')).toBe(false);
    expect(matches('node.labels.Gpu==yes')).toBe(true);
    expect(matches('engine.labels.zone!=b')).toBe(true);
    expect(matches('node.id==tni2vuz79yruylm3w4iynsumx', 'node.role!=worker')).toBe(false);
  });

  it('treats a missing label as an empty value: == fails, != holds', () => {
    expect(matches('node.labels.missing==x')).toBe(false);
    expect(matches('node.labels.missing!=x')).toBe(true);
  });

  it('matches node.ip against an address or a CIDR subnet; a malformed one matches nothing', () => {
    expect(matches('node.ip==10.213.47.12')).toBe(true);
    expect(matches('node.ip==10.213.47.0/24')).toBe(true);
    expect(matches('node.ip!=10.213.47.0/24')).toBe(false);
    expect(matches('node.ip==10.0.0.0/8', 'node.ip!=10.213.47.11')).toBe(true);
    expect(matches('node.ip==10.213.47.0/x')).toBe(false);
  });

  it.each([
    ['node.role=worker', /no == or !=/],
    ['node.hostname==a<b', /value/],
    ['9node==x', /key/],
    ['node.name==x', /is not one of/],
  ])('refuses %s as a UsageError', (text, message) => {
    expect(() => parseConstraint(text)).toThrow(UsageError);
    expect(() => parseConstraint(text)).toThrow(message);
  });
});
