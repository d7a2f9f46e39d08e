/**
 * Synthetic streams for SigMahaKNN: one family is normal, the other anomalous (`normal`: "ou" or "bm") — a 2-channel
 * Ornstein–Uhlenbeck process and a 2-channel Brownian motion whose terminal variance matches the OU's, so the increment over the whole stream (the
 * level-1 signature) has the same law in both and only the path's shape tells them apart. Each set also comes
 * (a) in other units (channel 0 multiplied by `unitScale`) and (b) reparametrised (extra points on the segments,
 * repeated points), so invariance can be measured on the same streams.
 */
import type { Rng } from "../../lib/math/rng.ts";

/** One stream: `len` samples of `ch` channels, row-major. */
export interface Stream {
  x: Float64Array;
  len: number;
}

/** The corpus (normal), the test inliers and outliers, each in original units. */
export interface StreamSets {
  corpus: Stream[];
  inliers: Stream[];
  outliers: Stream[];
  ch: number;
}

/** The data of one run: the sets as generated, in other units, and reparametrised. */
export interface SigData {
  base: StreamSets;
  units: StreamSets;
  reparam: StreamSets;
}

/** Generation settings. */
export interface StreamConfig {
  nCorpus: number;
  nInlier: number;
  nOutlier: number;
  length: number;
  theta: number;
  corr: number;
  unitScale: number;
  /** Which process is normal ("ou": OU normal, Brownian anomalies; "bm": the roles swapped). */
  normal: "ou" | "bm";
}

/** OU on [0, 1] (exact discretisation), dX = −θX dt + dW with channel correlation ρ, X₀ = 0. */
function ou(rng: Rng, len: number, theta: number, corr: number): Stream {
  const dt = 1 / (len - 1), a = Math.exp(-theta * dt), sd = Math.sqrt((1 - a * a) / (2 * theta));
  const x = new Float64Array(len * 2), r = Math.sqrt(1 - corr * corr);
  for (let k = 1; k < len; k++) {
    const z0 = rng.normal(), z1 = corr * z0 + r * rng.normal();
    x[k * 2] = a * x[(k - 1) * 2] + sd * z0;
    x[k * 2 + 1] = a * x[(k - 1) * 2 + 1] + sd * z1;
  }
  return { x, len };
}

/** Brownian motion on [0, 1] with Var X₁ = (1 − e^{−2θ})/(2θ), the OU's terminal variance. */
function bm(rng: Rng, len: number, theta: number, corr: number): Stream {
  const dt = 1 / (len - 1), sd = Math.sqrt((1 - Math.exp(-2 * theta)) / (2 * theta) * dt);
  const x = new Float64Array(len * 2), r = Math.sqrt(1 - corr * corr);
  for (let k = 1; k < len; k++) {
    const z0 = rng.normal(), z1 = corr * z0 + r * rng.normal();
    x[k * 2] = x[(k - 1) * 2] + sd * z0;
    x[k * 2 + 1] = x[(k - 1) * 2 + 1] + sd * z1;
  }
  return { x, len };
}

/** Channel 0 multiplied by `scale` (a change of its unit). */
export function rescale(s: Stream, ch: number, scale: number): Stream {
  const x = s.x.slice();
  for (let k = 0; k < s.len; k++) x[k * ch] *= scale;
  return { x, len: s.len };
}

/**
 * A reparametrisation of the piecewise-linear stream: each segment gets 0–2 extra points at uniform positions
 * along it, and each sample is repeated with probability 0.2 (a pause). The path's image and order are unchanged,
 * so its signature (without time) is unchanged; the sample times are not.
 */
export function reparametrise(s: Stream, ch: number, rng: Rng): Stream {
  const out: number[] = [];
  const push = (k: number, t = 0) => {
    for (let c = 0; c < ch; c++) {
      const a = s.x[k * ch + c];
      out.push(t === 0 ? a : a + t * (s.x[(k + 1) * ch + c] - a));
    }
  };
  for (let k = 0; k < s.len; k++) {
    push(k);
    if (rng.uniform() < 0.2) push(k);
    if (k + 1 < s.len) {
      const ts = Array.from({ length: rng.int(3) }, () => rng.uniform()).sort((a, b) => a - b);
      for (const t of ts) push(k, t);
    }
  }
  return { x: Float64Array.from(out), len: out.length / ch };
}

function mapSets(s: StreamSets, f: (x: Stream) => Stream): StreamSets {
  return { corpus: s.corpus.map(f), inliers: s.inliers.map(f), outliers: s.outliers.map(f), ch: s.ch };
}

/** Generates the corpus, the test inliers and outliers, and their rescaled and reparametrised copies. */
export function makeStreams(cfg: StreamConfig, rng: Rng): SigData {
  const g = rng.split("streams"), L = cfg.length;
  const [norm, anom] = cfg.normal === "ou" ? [ou, bm] : [bm, ou];
  const base: StreamSets = {
    corpus: Array.from({ length: cfg.nCorpus }, () => norm(g, L, cfg.theta, cfg.corr)),
    inliers: Array.from({ length: cfg.nInlier }, () => norm(g, L, cfg.theta, cfg.corr)),
    outliers: Array.from({ length: cfg.nOutlier }, () => anom(g, L, cfg.theta, cfg.corr)),
    ch: 2,
  };
  const rp = rng.split("reparam");
  return {
    base,
    units: mapSets(base, (s) => rescale(s, 2, cfg.unitScale)),
    reparam: mapSets(base, (s) => reparametrise(s, 2, rp)),
  };
}

/** Mean and upper-triangular covariance (ddof 1) of each channel over the stream: the official moment features. */
export function momentFeatures(s: Stream, ch: number): Float64Array {
  const m = new Float64Array(ch), out: number[] = [];
  for (let k = 0; k < s.len; k++) for (let c = 0; c < ch; c++) m[c] += s.x[k * ch + c] / s.len;
  out.push(...m);
  for (let a = 0; a < ch; a++) {
    for (let b = a; b < ch; b++) {
      let t = 0;
      for (let k = 0; k < s.len; k++) t += (s.x[k * ch + a] - m[a]) * (s.x[k * ch + b] - m[b]);
      out.push(t / (s.len - 1));
    }
  }
  return Float64Array.from(out);
}
