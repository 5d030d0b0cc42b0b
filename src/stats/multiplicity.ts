// Correcting many rows at once: `compare` judges the headline row as the test and marks the per-class,
// per-test and per-signature rows as adjusted for their number.
//
// Holm's step-down procedure (Holm, Scand. J. Statist. 6, 1979), as R's p.adjust(method = "holm"). It keeps
// the chance that any row is called significant by chance alone at most alpha (the family-wise error rate),
// whatever the dependence between rows: and rows of one comparison are dependent, since they count the same
// iterations. Benjamini–Hochberg would allow more rows through by controlling only the expected share of
// false ones, but its guarantee needs independence or positive dependence, and with the dozen rows of a
// comparison the difference in power is small; a row that sends an engineer after a cause that is not there
// costs more than a row held back.

/** Holm-adjusted p-values, in the order given: reject a row at level alpha when its adjusted p is ≤ alpha. */
export function holmAdjust(pValues: readonly number[]): number[] {
  for (const p of pValues) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`p-values must be in [0, 1], got ${p}`);
  }
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a]! - pValues[b]! || a - b);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]!));
    adjusted[index] = running;
  });
  return adjusted;
}
