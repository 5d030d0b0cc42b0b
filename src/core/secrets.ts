/** Variable names whose values must never be printed (besides every `--env-pass` variable). */
export const SECRET_NAME = /(TOKEN|SECRET|PASS|KEY|CREDENTIAL|PRIVATE|AUTH|COOKIE|SESSION|SIGNATURE)/i;

/** Shorter values are not masked: they would blank out ordinary text. */
export const MIN_SECRET_LENGTH = 4;
export const MASK = '[redacted]';

/** Whether an --env variable's name says its value is secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The names of a run's secret variables: every passed-through host variable, and --env names that look secret. */
export function secretNames(env: Record<string, string>, envPass: string[]): string[] {
  return [...envPass, ...Object.keys(env).filter(isSecretName)];
}

/** The values of those variables (passed-through ones as the host has them), longest first. */
export function secretValues(env: Record<string, string>, envPass: string[], hostEnv: NodeJS.ProcessEnv = process.env): string[] {
  const passed = envPass.map((name) => hostEnv[name]).filter((v): v is string => v !== undefined);
  const named = Object.entries(env).filter(([key]) => isSecretName(key)).map(([, value]) => value);
  return [...new Set([...passed, ...named])].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** The secret variables whose values are too short to mask (they are warned about: they show in logs). */
export function unmaskableSecrets(env: Record<string, string>, envPass: string[], hostEnv: NodeJS.ProcessEnv = process.env): string[] {
  const value = (name: string) => (envPass.includes(name) ? hostEnv[name] : env[name]) ?? '';
  return secretNames(env, envPass).filter((name) => value(name).length > 0 && value(name).length < MIN_SECRET_LENGTH);
}

/** Replaces every occurrence of a secret value in a text. */
export function maskSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

/** An env map with secret-looking values replaced, for printing. */
export function publicEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, isSecretName(k) ? '<redacted>' : v]));
}
