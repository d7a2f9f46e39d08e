/** Small statistics used by claims, tables and metrics. Pure functions over plain arrays. */

/** The arithmetic mean (NaN for no values), the basis of every summary over seeds. */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : NaN;
}

/** The median (NaN for no values), robust to outliers such as a slow repeat in timings. */
export function median(xs: ArrayLike<number>): number {
  const s = Array.from(xs).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The sample standard deviation (n − 1 denominator; 0 for fewer than two values), for spreads over seeds. */
export function std(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return xs.length > 1 ? Math.sqrt(s / (xs.length - 1)) : 0;
}

// Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; beyond that, the normal's.
const T975 = [
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];

/** The 97.5% quantile of Student's t with `df` degrees of freedom (two-sided 95%); the normal's beyond 30. */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) return Infinity;
  return df <= 30 ? T975[Math.floor(df) - 1] : 1.96;
}

/** Half-width of the 95% confidence interval of the mean (Student's t); 0 for a single value. */
export function ci95(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return 0;
  return (tQuantile975(n - 1) * std(xs)) / Math.sqrt(n);
}

/** Pearson's correlation coefficient of two equally long samples. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const mx = mean(x), my = mean(y);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Ranks with ties averaged (1-based). */
export function ranks(xs: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: xs.length }, (_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const r = new Float64Array(xs.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && xs[idx[j + 1]] === xs[idx[i]]) j++;
    for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman's rank correlation (Pearson's on ranks), for monotone agreement that ignores scale. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(ranks(x), ranks(y));
}

/** Coefficient of determination of the least-squares line y ≈ a + b·x (= pearson²). */
export function r2Linear(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(x, y) ** 2;
}

/** Least-squares slope of y on x, e.g. of log-time on log-size for an empirical exponent. */
export function slope(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const mx = mean(x), my = mean(y);
  let sxy = 0, sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxy / sxx;
}

/** Area under the ROC curve of `scores` for the positives `labels[i] = 1` (higher score = more positive). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const r = ranks(scores);
  let pos = 0, sum = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) pos++, sum += r[i];
  }
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) throw new RangeError("rocAuc: needs at least one positive and one negative");
  return (sum - pos * (pos + 1) / 2) / (pos * neg);
}

/**
 * Sample mean and covariance (1/(n−1), as np.cov with rowvar = False) of the n rows of the row-major n×d `x`: the
 * mean first, then the centred outer products accumulated row by row.
 */
export function meanCov(x: ArrayLike<number>, n: number, d: number): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(d), cov = new Float64Array(d * d);
  for (let s = 0; s < n; s++) for (let i = 0; i < d; i++) mean[i] += x[s * d + i] / n;
  const r = new Float64Array(d);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < d; i++) r[i] = x[s * d + i] - mean[i];
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i * d + j] += (r[i] * r[j]) / (n - 1);
  }
  return { mean, cov };
}
