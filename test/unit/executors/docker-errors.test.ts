import { describe, expect, it } from 'vitest';

import { EnvironmentError, InfrastructureError, UsageError } from '../../../src/core/errors.js';
import { classifyDockerError } from '../../../src/executors/docker/docker-errors.js';

const apiError = (statusCode: number, message: string) => Object.assign(new Error(`(HTTP code ${statusCode}) ${message}`), { statusCode, json: { message } });

describe('classifyDockerError: bad input stops the sweep, a passing fault is retried', () => {
  it('a refusal names the options it is about', () => {
    const cpus = classifyDockerError(apiError(400, 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available'), 'create a container');
    expect(cpus).toBeInstanceOf(UsageError);
    expect(cpus.message).toMatch(/check --cpus and the cpu: of --perturb or --matrix/);
    expect(classifyDockerError(apiError(400, 'invalid mount config for type "bind"'), 'create a container').message).toMatch(/check --mount$/);
  });

  it('options Docker checks only at start (a missing network, no GPU runtime) are usage errors, not retried', () => {
    const network = classifyDockerError(apiError(404, 'network bogusnet not found'), 'start container x');
    expect(network).toBeInstanceOf(UsageError);
    expect(network.message).toMatch(/check --network/);
    const gpu = classifyDockerError(apiError(500, 'could not select device driver "" with capabilities: [[gpu]]'), 'start container x');
    expect(gpu).toBeInstanceOf(UsageError);
    expect(gpu.message).toMatch(/check --gpus/);
  });

  it('a missing image is the environment; anything else passes and is retried', () => {
    expect(classifyDockerError(apiError(404, 'No such image: x:y'), 'create a container')).toBeInstanceOf(EnvironmentError);
    expect(classifyDockerError(apiError(500, 'driver failed programming external connectivity'), 'start container x')).toBeInstanceOf(InfrastructureError);
    expect(classifyDockerError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'start container x')).toBeInstanceOf(InfrastructureError);
  });
});
