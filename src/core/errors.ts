/** Exit codes are part of the interface: documented in the README and stable. */
export const ExitCode = {
  ok: 0,
  failures: 1,
  usage: 2,
  environment: 3,
  internal: 70,
  interrupted: 130,
} as const;

/** Bad input: a flag, a config file, a resumed sweep with other settings. Exit 2. */
export class UsageError extends Error {
  readonly exitCode = ExitCode.usage;
  override name = 'UsageError';
}

/** The machine is not fit to run: Docker unreachable, image missing, disk unwritable. Exit 3. */
export class EnvironmentError extends Error {
  readonly exitCode = ExitCode.environment;
  override name = 'EnvironmentError';
}

/** An iteration could not be run for reasons outside the tests (container create failed, daemon lost). */
export class InfrastructureError extends Error {
  readonly exitCode = ExitCode.environment;
  override name = 'InfrastructureError';
}

/** The user interrupted before anything was started. Exit 130. */
export class InterruptedError extends Error {
  readonly exitCode = ExitCode.interrupted;
  override name = 'InterruptedError';
}
