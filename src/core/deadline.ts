/**
 * Resolves with `promise`, or with `fallback` once `ms` have passed, whichever comes first. The
 * timer never keeps the process alive, and `promise` goes on (its rejection is not reported).
 */
export function withDeadline<T, F = undefined>(promise: Promise<T>, ms: number, fallback?: F): Promise<T | F> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback as F), ms);
    timer.unref();
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
