/** A count out of a total, with its rate and a 95% confidence interval (Wilson score). */
export interface RateEstimate {
  count: number;
  total: number;
  rate: number;
  lower: number;
  upper: number;
}
