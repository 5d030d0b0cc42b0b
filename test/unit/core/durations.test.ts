import { describe, expect, it } from 'vitest';

import { UsageError } from '../../../src/core/errors.js';
import { formatDuration, parseDuration } from '../../../src/core/durations.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['0', 0],
    ['0s', 0],
    ['1.5s', 1500],
    ['1d', 86_400_000],
    ['1m30s', 90_000],
    [' 15m ', 900_000],
  ])('%j → %d ms', (text, ms) => {
    expect(parseDuration(text, '--timeout')).toBe(ms);
  });

  it.each(['10', 'abc', '5x', '1h 30m', '', 'm', '-5s', '1m30', '5mms', '1h30mx'])('rejects %j with a UsageError naming the flag and the fix', (text) => {
    let caught: unknown;
    try {
      parseDuration(text, '--idle-timeout');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    const message = (caught as Error).message;
    expect(message).toContain('--idle-timeout');
    expect(message).toContain(JSON.stringify(text));
    expect(message).toMatch(/90s, 10m, 2h or 1h30m/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '0.5s'],
    [1500, '1.5s'],
    [90_000, '1m30s'],
    [600_000, '10m'],
    [7_200_000, '2h'],
    [5_400_000, '1h30m'],
  ])('%d ms → %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration for whole seconds under an hour', () => {
    for (const ms of [1000, 59_000, 60_000, 61_000, 90_000, 600_000, 3_540_000, 3_599_000]) {
      expect(parseDuration(formatDuration(ms), '--timeout')).toBe(ms);
    }
  });

  // Rounding the seconds must carry into the minutes: 119_700 ms is "2m", never "1m60s".
  it('carries rounded-up seconds into the minutes', () => {
    expect(formatDuration(119_700)).toBe('2m');
  });
});
