import { describe, expect, it } from 'vitest';

import { maskSecrets, secretValues, unmaskableSecrets } from '../../../src/core/secrets.js';

describe('secrets', () => {
  const env = { HF_TOKEN: 'hf_abcdef', SECRET_PIN: 'Q9z', PLAIN: 'abc', API_KEY: '' };

  it('masks the values of secret-looking --env names and of --env-pass variables, longest first', () => {
    const secrets = secretValues(env, ['FH_PASSED'], { FH_PASSED: 'hf_abcdef-longer' });
    expect(secrets).toEqual(['hf_abcdef-longer', 'hf_abcdef']);
    expect(maskSecrets('token hf_abcdef-longer and hf_abcdef', secrets)).toBe('token [redacted] and [redacted]');
  });

  it('names the secrets too short to mask, so that they are warned about instead of silently shown', () => {
    expect(unmaskableSecrets(env, ['FH_SHORT', 'FH_UNSET'], { FH_SHORT: 'xy' })).toEqual(['FH_SHORT', 'SECRET_PIN']);
  });
});
