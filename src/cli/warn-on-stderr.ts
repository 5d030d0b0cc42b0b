/** A warning on stderr, as every command prints them. */
export function warnOnStderr(message: string): void {
  process.stderr.write(`flakehunt: warning: ${message}\n`);
}
