// "Still happening?" for a failure signature not seen for a while: it was seen x times among the n counted
// iterations up to and including the last one it appeared in, and not in the m counted iterations since.
//
// Still happening means it keeps its earlier rate θ, unknown but for what the first n iterations say: with a
// uniform prior, θ ~ Beta(x + 1, n − x + 1). The chance of m clean iterations in a row is then
// E[(1 − θ)^m] = B(x + 1, n − x + 1 + m) / B(x + 1, n − x + 1), exact as a product of m ratios of integers.
// Gone means its rate has been 0 since. With prior probability π that it is gone (1/2 by default: no opinion
// either way), Bayes' rule gives P(gone | m clean) = π / (π + (1 − π) · E[(1 − θ)^m]).
// The first n iterations end where the signature last appeared, which makes θ look a little higher than it is
// (one occurrence is there because the window was cut after it), so "gone" comes out a little too easily
// when x is small.

export interface StillHappening {
  /** P(m clean iterations in a row | still happening at the earlier rate). */
  probabilityOfCleanStreak: number;
  /** P(gone | m clean iterations), under priorGone. */
  probabilityGone: number;
  priorGone: number;
}

export function stillHappening(occurrences: number, iterations: number, cleanSince: number, priorGone = 0.5): StillHappening {
  const [x, n, m] = [occurrences, iterations, cleanSince];
  if (![x, n, m].every(Number.isInteger) || x < 1 || n < x || m < 0) {
    throw new RangeError(`need integers 1 ≤ occurrences ≤ iterations and cleanSince ≥ 0, got ${x}, ${n}, ${m}`);
  }
  if (!(priorGone > 0 && priorGone < 1)) throw new RangeError(`priorGone must be in (0, 1), got ${priorGone}`);
  // B(x + 1, n − x + 1 + m) / B(x + 1, n − x + 1) = (n − x + m)! (n + 1)! / ((n + m + 1)! (n − x)!): as a
  // product of m factors below 1 it cannot round above 1, as a difference of log-factorials it can.
  let probabilityOfCleanStreak = 1;
  for (let j = 1; j <= m; j++) probabilityOfCleanStreak *= (n - x + j) / (n + 1 + j);
  return {
    probabilityOfCleanStreak,
    probabilityGone: priorGone / (priorGone + (1 - priorGone) * probabilityOfCleanStreak),
    priorGone,
  };
}
