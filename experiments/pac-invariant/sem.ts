/**
 * A linear SEM with a planted neighbourhood around the target Y, and its parameterized soft interventions.
 *
 * Nodes are stored in topological order; node j is x_j = Σ_i w_ji x_pa(i) + σ_j z_j with z_j ~ N(0, 1)
 * (Parulekar et al., Sec. 2: X = BX + η with B strictly lower-triangular in a causal order). The covariates are
 * every node except Y, so the ambient dimension is p. An intervention e is a parameter vector θ_e that replaces
 * the incoming weights and the noise scale at a set of intervention sites (a soft intervention on B and on the
 * noise covariance); Y's own mechanism is never intervened, so the causal parents stay exactly invariant.
 */
import type { Rng } from "../../lib/math/rng.ts";

export interface Node {
  name: string;
  parents: number[];
  weights: number[];
  sigma: number;
}

export interface Sem {
  nodes: Node[];
  /** Index of Y. */
  y: number;
  /** The representation pool: indices of the covariates candidate representations are built from. */
  pool: number[];
  /** Names of the pool nodes (same order as `pool`). */
  poolNames: string[];
  /** Nodes a `local` intervention touches (constant size, bounded in-degree). */
  localSites: number[];
  /** Nodes a `global` intervention touches (every covariate: grows with p). */
  globalSites: number[];
}

/** One intervention θ: for each site, its new incoming weights and noise scale. */
export type Intervention = Map<number, { weights: number[]; sigma: number }>;

export interface SemOptions {
  /** Ambient dimension: number of covariates (every node but Y); at least 5 (the planted pool). */
  p: number;
  /** Largest in-degree of an ambient node. */
  maxIndeg: number;
}

const NAMES = ["P1", "P2", "N1", "Y", "C1", "C2"];

/**
 * Build the base SEM: p − 5 ambient nodes (a random DAG, in-degree ≤ maxIndeg), then the planted motif
 * P1, P2 → Y (causal parents, each with one ambient parent when there is one), N1 (an ambient descendant,
 * independent of Y given its parents), C1 ← Y (+ ambient) and C2 ← Y, P1 (children of Y, spurious but predictive).
 * Incoming weights are rescaled so every node has unit variance in the base SEM (a standardized SEM), which keeps
 * long ambient chains from blowing up as p grows.
 */
export function makeSem(o: SemOptions, rng: Rng): Sem {
  if (o.p < 5) throw new Error("p must be at least 5 (the planted pool)");
  const a = o.p - 5;
  const nodes: Node[] = [];
  const signed = () => (rng.uniform() < 0.5 ? -1 : 1) * (0.5 + 0.5 * rng.uniform());
  for (let j = 0; j < a; j++) {
    const k = j === 0 ? 0 : 1 + rng.int(Math.min(o.maxIndeg, j));
    const parents = [...rng.permutation(j)].slice(0, k);
    nodes.push({ name: `A${j}`, parents, weights: parents.map(signed), sigma: 1 });
  }
  const amb = () => (a > 0 ? [rng.int(a)] : []);
  const idx = (name: string) => a + NAMES.indexOf(name);
  const add = (name: string, parents: number[], weights: number[], sigma: number) =>
    nodes.push({ name, parents, weights, sigma });
  const ap1 = amb(), ap2 = amb(), an1 = amb(), ac1 = amb();
  add("P1", ap1, ap1.map(() => 0.6), 0.8);
  add("P2", ap2, ap2.map(() => -0.6), 0.8);
  add("N1", an1, an1.map(() => 0.7), 0.7);
  add("Y", [idx("P1"), idx("P2")], [0.8, -0.6], 0.5);
  add("C1", [idx("Y"), ...ac1], [1.0, ...ac1.map(() => 0.5)], 0.5);
  add("C2", [idx("Y"), idx("P1")], [0.7, 0.5], 0.7);
  standardize(nodes);
  const y = idx("Y");
  const pool = ["P1", "P2", "N1", "C1", "C2"].map(idx);
  const covariates = nodes.map((_, j) => j).filter((j) => j !== y);
  return {
    nodes,
    y,
    pool,
    poolNames: pool.map((j) => nodes[j].name),
    localSites: ["P1", "C1", "C2"].map(idx),
    globalSites: covariates,
  };
}

/** Rescale each node's weights and noise so its variance is 1 (processing in topological order). */
function standardize(nodes: Node[]): void {
  const cov = covariance(nodes);
  const n = nodes.length;
  for (let j = 0; j < n; j++) {
    const s = Math.sqrt(cov[j * n + j]);
    // Scaling node j by 1/s rescales its incoming weights and noise, and its children's weights on it by s.
    nodes[j].weights = nodes[j].weights.map((w) => w / s);
    nodes[j].sigma /= s;
    for (let k = j + 1; k < n; k++) {
      const at = nodes[k].parents.indexOf(j);
      if (at >= 0) nodes[k].weights[at] *= s;
    }
  }
}

/** Apply an intervention: a copy of the nodes with the sites' mechanisms replaced. */
export function intervene(sem: Sem, theta: Intervention): Node[] {
  return sem.nodes.map((nd, j) => {
    const t = theta.get(j);
    return t ? { ...nd, weights: t.weights, sigma: t.sigma } : nd;
  });
}

/**
 * Draw θ for the given sites: each incoming weight moves by shift·U[−1, 1] around its base value, and the noise
 * scale is multiplied by exp(logNoise·U[−1, 1]). The family is parameterized by Σ_sites (indeg + 1) numbers.
 */
export function sampleIntervention(
  sem: Sem,
  sites: number[],
  o: { shift: number; logNoise: number },
  rng: Rng,
): Intervention {
  const theta: Intervention = new Map();
  for (const j of sites) {
    const nd = sem.nodes[j];
    theta.set(j, {
      weights: nd.weights.map((w) => w + o.shift * (2 * rng.uniform() - 1)),
      sigma: nd.sigma * Math.exp(o.logNoise * (2 * rng.uniform() - 1)),
    });
  }
  return theta;
}

/** Population covariance of all nodes (row-major N×N), by the recursion Σ_jk = Σ_i w_ji Σ_pa(i),k. */
export function covariance(nodes: Node[]): Float64Array {
  const n = nodes.length;
  const c = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const { parents, weights, sigma } = nodes[j];
    for (let k = 0; k < j; k++) {
      let s = 0;
      for (let i = 0; i < parents.length; i++) s += weights[i] * c[parents[i] * n + k];
      c[j * n + k] = s;
      c[k * n + j] = s;
    }
    let v = sigma * sigma;
    for (let i = 0; i < parents.length; i++) v += weights[i] * c[j * n + parents[i]];
    c[j * n + j] = v;
  }
  return c;
}

/**
 * Population second moments of (x_pool, y): the (q+1)×(q+1) block, pool first, Y last. Only the rows of the
 * needed nodes are used, but the recursion runs over the whole graph (the ambient part shapes them).
 */
export function poolMoments(sem: Sem, nodes: Node[]): Float64Array {
  const full = covariance(nodes);
  return block(full, nodes.length, [...sem.pool, sem.y]);
}

/** Empirical second moments of (x_pool, y) from n ancestral samples of the SEM (zero-mean model, no centering). */
export function sampleMoments(sem: Sem, nodes: Node[], n: number, rng: Rng): Float64Array {
  const keep = [...sem.pool, sem.y];
  const q = keep.length, N = nodes.length;
  const order = ancestors(nodes, keep);
  const acc = new Float64Array(q * q);
  const x = new Float64Array(N), v = new Float64Array(q);
  for (let s = 0; s < n; s++) {
    for (const j of order) {
      const { parents, weights, sigma } = nodes[j];
      let t = sigma * rng.normal();
      for (let i = 0; i < parents.length; i++) t += weights[i] * x[parents[i]];
      x[j] = t;
    }
    for (let a = 0; a < q; a++) v[a] = x[keep[a]];
    for (let a = 0; a < q; a++) for (let b = 0; b <= a; b++) acc[a * q + b] += v[a] * v[b];
  }
  for (let a = 0; a < q; a++) {
    for (let b = 0; b <= a; b++) {
      acc[a * q + b] /= n;
      acc[b * q + a] = acc[a * q + b];
    }
  }
  return acc;
}

/** The nodes in `keep` and all their ancestors, in topological order (the only ones a sample needs). */
export function ancestors(nodes: Node[], keep: number[]): number[] {
  const need = new Uint8Array(nodes.length);
  for (const k of keep) need[k] = 1;
  for (let j = nodes.length - 1; j >= 0; j--) if (need[j]) { for (const p of nodes[j].parents) need[p] = 1; }
  return nodes.map((_, j) => j).filter((j) => need[j]);
}

function block(c: Float64Array, n: number, idx: number[]): Float64Array {
  const q = idx.length;
  const out = new Float64Array(q * q);
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) out[a * q + b] = c[idx[a] * n + idx[b]];
  return out;
}
