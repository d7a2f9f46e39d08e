import type { Rng } from "../../lib/math/rng.ts";

/** Source/target Gaussian class clusters in the plane and the squared-Euclidean cost between them. */
export interface Problem {
  n: number; // source points
  m: number; // target points
  k: number; // classes
  ys: Int32Array; // source labels (known)
  yt: Int32Array; // target labels (hidden from the methods, used to score)
  a: Float64Array;
  b: Float64Array;
  /** squared distances divided by their mean (scale-free regularization weights) */
  cost: Float64Array;
}

export interface DataConfig {
  classes: number;
  perClass: number;
  separation: number;
  sigma: number;
  rotation: number;
  dim: number;
}

/**
 * Class c has mean s·(cos 2πc/K, sin 2πc/K, 0, …) in the source and the same mean rotated by `rotation` degrees
 * (in the first two coordinates) in the target; points are mean + σ·N(0, I_d). Equal class sizes on both sides.
 */
export function makeProblem(cfg: DataConfig, rng: Rng): Problem {
  const { classes: k, perClass: p, separation: s, sigma, dim } = cfg;
  const n = k * p, m = k * p, rot = cfg.rotation * Math.PI / 180;
  const sample = (shift: number, r: Rng) => {
    const x = new Float64Array(n * dim), y = new Int32Array(n);
    for (let c = 0; c < k; c++) {
      const ang = 2 * Math.PI * c / k + shift;
      for (let q = 0; q < p; q++) {
        const i = c * p + q;
        y[i] = c;
        const z = r.normal(dim) as Float64Array;
        for (let d = 0; d < dim; d++) x[i * dim + d] = sigma * z[d];
        x[i * dim] += s * Math.cos(ang);
        x[i * dim + 1] += s * Math.sin(ang);
      }
    }
    return { x, y };
  };
  const src = sample(0, rng.split("source")), tgt = sample(rot, rng.split("target"));
  const cost = new Float64Array(n * m);
  let tot = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let q = 0;
      for (let d = 0; d < dim; d++) q += (src.x[i * dim + d] - tgt.x[j * dim + d]) ** 2;
      cost[i * m + j] = q;
      tot += q;
    }
  }
  const mc = tot / (n * m);
  for (let q = 0; q < n * m; q++) cost[q] /= mc;
  return {
    n,
    m,
    k,
    ys: src.y,
    yt: tgt.y,
    a: new Float64Array(n).fill(1 / n),
    b: new Float64Array(m).fill(1 / m),
    cost,
  };
}

/** Class purity: the share of transported mass that goes from a source point to a target point of the same class. */
export function classPurity(p: Problem, t: Float64Array): number {
  let same = 0, tot = 0;
  for (let i = 0; i < p.n; i++) {
    for (let j = 0; j < p.m; j++) {
      const v = Math.max(0, t[i * p.m + j]);
      tot += v;
      if (p.ys[i] === p.yt[j]) same += v;
    }
  }
  return same / tot;
}

/** Label-transfer accuracy: target j gets the class that sends it the most mass. */
export function transferAccuracy(p: Problem, t: Float64Array): number {
  let ok = 0;
  for (let j = 0; j < p.m; j++) {
    const mass = new Float64Array(p.k);
    for (let i = 0; i < p.n; i++) mass[p.ys[i]] += t[i * p.m + j];
    let best = 0;
    for (let c = 1; c < p.k; c++) if (mass[c] > mass[best]) best = c;
    if (best === p.yt[j]) ok++;
  }
  return ok / p.m;
}

/** Relative L1 violation of the marginals, (‖T1 − a‖₁ + ‖Tᵀ1 − b‖₁)/2. */
export function marginalError(p: Problem, t: Float64Array): number {
  let e = 0;
  for (let i = 0; i < p.n; i++) {
    let s = 0;
    for (let j = 0; j < p.m; j++) s += t[i * p.m + j];
    e += Math.abs(s - p.a[i]);
  }
  for (let j = 0; j < p.m; j++) {
    let s = 0;
    for (let i = 0; i < p.n; i++) s += t[i * p.m + j];
    e += Math.abs(s - p.b[j]);
  }
  return e / 2;
}

/** Transport cost <C, T> on the normalized cost. */
export function transportCost(p: Problem, t: Float64Array): number {
  let s = 0;
  for (let q = 0; q < p.n * p.m; q++) s += p.cost[q] * t[q];
  return s;
}
