/**
 * Discrete OT solvers on a cost matrix C (n×m, row-major Float64Array) with marginals a (n), b (m).
 * Plans are row-major Float64Array n×m.
 */
import { assignment } from "../../lib/math/ot/mod.ts";

/** Exact OT for n = m and uniform marginals: an optimal plan is a permutation / n (Birkhoff), found by the
 * Hungarian algorithm of lib/math/ot. */
export function exactAssignment(c: Float64Array, n: number): Float64Array {
  const { cols } = assignment(c, n), t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) t[i * n + cols[i]] = 1 / n;
  return t;
}

/** Entropic OT (Cuturi 2013): min <C,T> − η H(T) over Π(a,b), by Sinkhorn iterations in the log domain
 * (f_i = η log a_i − η LSE_j((g_j − C_ij)/η), and symmetrically for g). Stops when the row-marginal L1 error < tol. */
export function sinkhorn(
  c: Float64Array,
  a: Float64Array,
  b: Float64Array,
  eta: number,
  opts: { maxIter?: number; tol?: number } = {},
): { plan: Float64Array; iters: number } {
  const n = a.length, m = b.length, maxIter = opts.maxIter ?? 5000, tol = opts.tol ?? 1e-9;
  const f = new Float64Array(n), g = new Float64Array(m);
  const la = a.map(Math.log), lb = b.map(Math.log);
  const plan = new Float64Array(n * m);
  let it = 0;
  for (; it < maxIter; it++) {
    for (let i = 0; i < n; i++) {
      let mx = -Infinity;
      for (let j = 0; j < m; j++) mx = Math.max(mx, (g[j] - c[i * m + j]) / eta);
      let s = 0;
      for (let j = 0; j < m; j++) s += Math.exp((g[j] - c[i * m + j]) / eta - mx);
      f[i] = eta * (la[i] - mx - Math.log(s));
    }
    for (let j = 0; j < m; j++) {
      let mx = -Infinity;
      for (let i = 0; i < n; i++) mx = Math.max(mx, (f[i] - c[i * m + j]) / eta);
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.exp((f[i] - c[i * m + j]) / eta - mx);
      g[j] = eta * (lb[j] - mx - Math.log(s));
    }
    // columns are exact after the g-update; check rows
    let err = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += Math.exp((f[i] + g[j] - c[i * m + j]) / eta);
      err += Math.abs(s - a[i]);
    }
    if (err < tol) {
      it++;
      break;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) plan[i * m + j] = Math.exp((f[i] + g[j] - c[i * m + j]) / eta);
  }
  return { plan, iters: it };
}

/**
 * A sum-of-norms penalty λ Σ_k ‖L_k T‖₂ on the plan, given by its linear maps' structure:
 * - "son": pairs (i, i') of source points of the same class, L_k T = T_i· − T_i'· (rows; convex-clustering
 *   fusion penalty, our reading of the paper's regularizer);
 * - "group": (class c, target j), L_k T = T_{I_c, j} (Courty et al. 2014/2017 ℓ1–ℓ2 group lasso).
 */
export type Penalty =
  | { kind: "son"; pairs: Int32Array } // flattened [i0, i0', i1, i1', ...]
  | { kind: "group"; classes: Int32Array; k: number }; // source labels, number of classes

/** All within-class source pairs (complete graph inside each class). */
export function classPairs(labels: Int32Array): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) if (labels[i] === labels[j]) out.push(i, j);
  }
  return Int32Array.from(out);
}

/** Value of Σ_k ‖L_k T‖₂ (without λ). */
export function penaltyValue(pen: Penalty, t: Float64Array, n: number, m: number): number {
  let s = 0;
  if (pen.kind === "son") {
    for (let k = 0; k < pen.pairs.length; k += 2) {
      const i = pen.pairs[k], i2 = pen.pairs[k + 1];
      let q = 0;
      for (let j = 0; j < m; j++) {
        const d = t[i * m + j] - t[i2 * m + j];
        q += d * d;
      }
      s += Math.sqrt(q);
    }
  } else {
    const q = new Float64Array(pen.k * m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) q[pen.classes[i] * m + j] += t[i * m + j] ** 2;
    for (const x of q) s += Math.sqrt(x);
  }
  return s;
}

export interface DualOpts {
  /** weight λ of the sum-of-norms term */
  lambda: number;
  /** weight ε of the quadratic smoothing (ε/2)‖T‖²_F that makes the dual smooth */
  eps: number;
  iters: number;
  /** Nesterov/FISTA momentum (true) or plain projected gradient ascent (false) */
  accelerated: boolean;
  /** called every `every` iterations with the current primal plan */
  onIter?: (it: number, plan: Float64Array) => void;
  every?: number;
}

/**
 * min_{T ∈ Π(a,b)} <C,T> + (ε/2)‖T‖²_F + λ Σ_k ‖L_k T‖₂, solved on the dual.
 * With λ‖v‖ = max_{‖u‖≤λ} <u,v>, the Lagrangian minimizer is T(α,β,U) = [α1ᵀ + 1βᵀ − C − Σ_k L_k*u_k]_+ / ε and the
 * dual  D(α,β,U) = <α,a> + <β,b> − ‖[α1ᵀ + 1βᵀ − C − Σ L_k*u_k]_+‖²/(2ε)  is concave with (‖A‖²/ε)-Lipschitz gradient
 * (∇_α = a − T1, ∇_β = b − Tᵀ1, ∇_{u_k} = L_k T). Accelerated projected gradient ascent (FISTA, Beck–Teboulle 2009)
 * with the closed-form projection of each u_k onto the λ-ball. Step 1/L with L = 3·max(n, m, ρ)/ε, where ρ bounds
 * ‖Σ L_k*u_k‖²/‖U‖² (largest class size for "son", 1 for "group").
 */
export function dualProxOT(
  c: Float64Array,
  a: Float64Array,
  b: Float64Array,
  pen: Penalty,
  o: DualOpts,
): { plan: Float64Array; dual: number } {
  const n = a.length, m = b.length;
  let rho = 1;
  let nu = 0; // number of u-blocks, each of length len
  let len = 0;
  if (pen.kind === "son") {
    const counts = new Map<number, number>();
    for (let k = 0; k < pen.pairs.length; k += 2) {
      counts.set(pen.pairs[k], (counts.get(pen.pairs[k]) ?? 0) + 1);
      counts.set(pen.pairs[k + 1], (counts.get(pen.pairs[k + 1]) ?? 0) + 1);
    }
    // λ_max of a graph Laplacian ≤ 2·max degree; for a complete graph on s nodes it is s = maxdeg + 1
    rho = 2 * Math.max(1, ...counts.values());
    nu = pen.pairs.length / 2;
    len = m;
  } else {
    nu = pen.k * m;
    len = n; // block (c, j) stored as a length-n vector masked to I_c (entries outside I_c stay 0)
  }
  const L = 3 * Math.max(n, m, rho) / o.eps, step = 1 / L;
  const dim = n + m + nu * len;
  const y = new Float64Array(dim);
  let x = new Float64Array(dim), xPrev = new Float64Array(dim);
  const g = new Float64Array(dim);
  const t = new Float64Array(n * m);
  let theta = 1;
  const every = o.every ?? 0;

  // plan from dual point z: T = [α_i + β_j − C_ij − (Σ L*u)_ij]_+ / ε
  const planOf = (z: Float64Array) => {
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[i * m + j] = z[i] + z[n + j] - c[i * m + j];
    const off = n + m;
    if (pen.kind === "son") {
      for (let k = 0; k < nu; k++) {
        const i = pen.pairs[2 * k], i2 = pen.pairs[2 * k + 1], base = off + k * m;
        for (let j = 0; j < m; j++) {
          t[i * m + j] -= z[base + j];
          t[i2 * m + j] += z[base + j];
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        const cl = pen.classes[i];
        for (let j = 0; j < m; j++) t[i * m + j] -= z[off + (cl * m + j) * n + i];
      }
    }
    for (let q = 0; q < n * m; q++) t[q] = t[q] > 0 ? t[q] / o.eps : 0;
  };
  const project = (z: Float64Array) => {
    const off = n + m;
    for (let k = 0; k < nu; k++) {
      let s = 0;
      for (let q = 0; q < len; q++) s += z[off + k * len + q] ** 2;
      const r = Math.sqrt(s);
      if (r > o.lambda) {
        const f = o.lambda / r;
        for (let q = 0; q < len; q++) z[off + k * len + q] *= f;
      }
    }
  };
  for (let it = 0; it < o.iters; it++) {
    planOf(y);
    // gradient of D at y
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += t[i * m + j];
      g[i] = a[i] - s;
    }
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += t[i * m + j];
      g[n + j] = b[j] - s;
    }
    const off = n + m;
    if (pen.kind === "son") {
      for (let k = 0; k < nu; k++) {
        const i = pen.pairs[2 * k], i2 = pen.pairs[2 * k + 1], base = off + k * m;
        for (let j = 0; j < m; j++) g[base + j] = t[i * m + j] - t[i2 * m + j];
      }
    } else {
      for (let i = 0; i < n; i++) {
        const cl = pen.classes[i];
        for (let j = 0; j < m; j++) g[off + (cl * m + j) * n + i] = t[i * m + j];
      }
    }
    [xPrev, x] = [x, xPrev];
    for (let q = 0; q < dim; q++) x[q] = y[q] + step * g[q];
    project(x);
    if (o.accelerated) {
      const th = (1 + Math.sqrt(1 + 4 * theta * theta)) / 2, beta = (theta - 1) / th;
      theta = th;
      for (let q = 0; q < dim; q++) y[q] = x[q] + beta * (x[q] - xPrev[q]);
    } else {
      y.set(x);
    }
    if (every && o.onIter && (it + 1) % every === 0) {
      planOf(x);
      o.onIter(it + 1, t.slice());
    }
  }
  planOf(x);
  let dual = 0;
  for (let i = 0; i < n; i++) dual += x[i] * a[i];
  for (let j = 0; j < m; j++) dual += x[n + j] * b[j];
  let sq = 0;
  for (const v of t) sq += v * v;
  dual -= o.eps * sq / 2; // ‖[Z]_+‖²/(2ε) = ε‖T‖²/2
  return { plan: t.slice(), dual };
}

/** Primal objective <C,T> + (ε/2)‖T‖² + λ Σ‖L_k T‖ (for duality-gap tests). */
export function primalValue(
  c: Float64Array,
  t: Float64Array,
  n: number,
  m: number,
  pen: Penalty,
  lambda: number,
  eps: number,
): number {
  let s = 0, q = 0;
  for (let k = 0; k < n * m; k++) {
    s += c[k] * t[k];
    q += t[k] * t[k];
  }
  return s + eps * q / 2 + lambda * penaltyValue(pen, t, n, m);
}
