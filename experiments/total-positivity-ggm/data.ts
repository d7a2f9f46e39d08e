/**
 * Synthetic MTP2 Gaussian graphical models: a graph (2-D grid or Barabási–Albert), a sparse M-matrix precision
 * Θ* = δI − W (W the weighted adjacency, δ a margin above λ_max(W)), rescaled so Σ* = Θ*⁻¹ has unit diagonal,
 * and n samples x ~ N(0, Σ*), summarized by the sample covariance S = XᵀX / n (known zero mean).
 */
import type { Rng } from "../../lib/math/rng.ts";
import { cholesky, invFromChol } from "./gp.ts";

export type GraphKind = "grid" | "ba";

export interface GgmData {
  p: number;
  n: number;
  /** true precision Θ*, p×p row-major */
  theta: Float64Array;
  /** true edge set, upper triangle, as a 0/1 mask p×p */
  adj: Uint8Array;
  /** sample covariance S */
  s: Float64Array;
  /** Covariance of the first n − nVal samples (where tuning fits) and of the last nVal (where it scores). */
  sFit: Float64Array;
  sVal: Float64Array;
  nFit: number;
  nVal: number;
}

/** Edge list of the graph: grid = √p×√p 4-neighbour lattice; ba = Barabási–Albert, `m` edges per new node. */
export function makeGraph(kind: GraphKind, p: number, rng: Rng, m = 1): [number, number][] {
  const edges: [number, number][] = [];
  if (kind === "grid") {
    const side = Math.round(Math.sqrt(p));
    if (side * side !== p) throw new Error(`grid graph needs a square p, got ${p}`);
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const v = r * side + c;
        if (c + 1 < side) edges.push([v, v + 1]);
        if (r + 1 < side) edges.push([v, v + side]);
      }
    }
    return edges;
  }
  // Barabási–Albert preferential attachment: start from a clique on m+1 nodes
  const targets: number[] = []; // node list with multiplicity = degree
  for (let i = 0; i <= m; i++) {
    for (let j = 0; j < i; j++) {
      edges.push([j, i]);
      targets.push(i, j);
    }
  }
  for (let v = m + 1; v < p; v++) {
    const chosen = new Set<number>();
    while (chosen.size < m) chosen.add(targets[rng.int(targets.length)]);
    for (const u of chosen) {
      edges.push([u, v]);
      targets.push(u, v);
    }
  }
  return edges;
}

/** Largest eigenvalue of a symmetric nonnegative matrix by power iteration (Perron root). */
function perronRoot(w: Float64Array, p: number): number {
  let x = new Float64Array(p).fill(1 / Math.sqrt(p)), lam = 0;
  for (let it = 0; it < 500; it++) {
    const y = new Float64Array(p);
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) y[i] += w[i * p + j] * x[j];
    const nrm = Math.hypot(...y);
    if (nrm === 0) return 0;
    const next = nrm;
    for (let i = 0; i < p; i++) y[i] /= nrm;
    x = y;
    if (Math.abs(next - lam) <= 1e-12 * next) return next;
    lam = next;
  }
  return lam;
}

export interface MakeOptions {
  graph: GraphKind;
  p: number;
  n: number;
  /** edge weights W_ij ~ U[wLo, wHi] */
  wLo: number;
  wHi: number;
  /** δ = (1 + margin) λ_max(W) */
  margin: number;
  baM: number;
  /** Fraction of the n samples held out to choose λ (at least 2 samples each side). */
  valFrac?: number;
}

export function makeGgm(o: MakeOptions, rng: Rng): GgmData {
  const { p, n } = o;
  const gr = rng.split("graph"), wr = rng.split("weights"), xr = rng.split("samples");
  const w = new Float64Array(p * p), adj = new Uint8Array(p * p);
  for (const [i, j] of makeGraph(o.graph, p, gr, o.baM)) {
    const v = o.wLo + (o.wHi - o.wLo) * wr.uniform();
    w[i * p + j] = w[j * p + i] = v;
    adj[i * p + j] = adj[j * p + i] = 1;
  }
  const delta = (1 + o.margin) * perronRoot(w, p);
  const theta = new Float64Array(p * p);
  for (let k = 0; k < p * p; k++) theta[k] = -w[k];
  for (let i = 0; i < p; i++) theta[i * p + i] = delta;
  // rescale Θ ← D^{1/2} Θ D^{1/2}, D = diag(Σ), so that Σ has unit diagonal (keeps the M-matrix sign pattern)
  const l0 = cholesky(theta, p)!;
  const sig = invFromChol(l0, p);
  const d = Array.from({ length: p }, (_, i) => Math.sqrt(sig[i * p + i]));
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) theta[i * p + j] *= d[i] * d[j];
  // samples: x = L⁻ᵀ z with Θ = LLᵀ, so Cov(x) = Θ⁻¹
  const l = cholesky(theta, p)!;
  const nVal = Math.min(n - 2, Math.max(2, Math.round((o.valFrac ?? 0.2) * n))), nFit = n - nVal;
  const s = new Float64Array(p * p), sFit = new Float64Array(p * p), sVal = new Float64Array(p * p);
  const x = new Float64Array(p);
  for (let r = 0; r < n; r++) {
    const z = xr.normal(p);
    for (let i = p - 1; i >= 0; i--) { // back-substitution Lᵀx = z
      let v = z[i];
      for (let k = i + 1; k < p; k++) v -= l[k * p + i] * x[k];
      x[i] = v / l[i * p + i];
    }
    const part = r < nFit ? sFit : sVal;
    for (let i = 0; i < p; i++) {
      for (let j = 0; j <= i; j++) {
        s[i * p + j] += x[i] * x[j];
        part[i * p + j] += x[i] * x[j];
      }
    }
  }
  for (const [m, cnt] of [[s, n], [sFit, nFit], [sVal, nVal]] as const) {
    for (let i = 0; i < p; i++) {
      for (let j = 0; j <= i; j++) {
        m[i * p + j] /= cnt;
        m[j * p + i] = m[i * p + j];
      }
    }
  }
  return { p, n, theta, adj, s, sFit, sVal, nFit, nVal };
}

/** ‖Θ̂ − Θ*‖_F / ‖Θ*‖_F */
export function relError(est: Float64Array, truth: Float64Array): number {
  let num = 0, den = 0;
  for (let k = 0; k < truth.length; k++) {
    num += (est[k] - truth[k]) ** 2;
    den += truth[k] ** 2;
  }
  return Math.sqrt(num / den);
}

/** Edge F-score 2TP / (2TP + FP + FN) over i < j, an estimated edge being |Θ̂_ij| > thr. */
export function fScore(est: Float64Array, adj: Uint8Array, p: number, thr = 1e-5): number {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < p; i++) {
    for (let j = i + 1; j < p; j++) {
      const e = Math.abs(est[i * p + j]) > thr, t = adj[i * p + j] === 1;
      if (e && t) tp++;
      else if (e) fp++;
      else if (t) fn++;
    }
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}
