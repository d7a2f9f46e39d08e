/**
 * Recourse under data deletion: Wachter/SCFE counterfactuals and the paper's robust ones (RR-CFE / ROCERF,
 * Krishna, Ma & Lakkaraju 2023), as the official code computes them (src/generate_explanation_linear.py,
 * src/recourse_methods.py: SCFE_modified).
 *
 * Influence of a deletion. θ minimises (1/n) Σ ℓᵢ (+ regulariser); deleting the set S moves it, to first order, by
 *   θ_{−S} − θ ≈ (1/n) Σ_{i∈S} vᵢ,   vᵢ = H⁻¹ ∇_θ ℓᵢ,   H = ∇²L(θ) + 0.01·I   (the official damping),
 * so the logit at a point z moves by (1/n) Σ_{i∈S} Aᵢ(z), Aᵢ(z) = ∂f/∂θ(z)ᵀ vᵢ.
 *
 * Robust recourse for k deletions (RR-CFE-k). The worst k deletions for the query x are the k smallest Aᵢ(x)
 * (official get_A / get_k_min_values: chosen at the query x, not at the counterfactual); the worst-case model is
 * θ_k = θ + (1/n) Σ_{i∈S} vᵢ, and the counterfactual is SCFE's on θ_k, accepted only where both θ_k and θ say
 * "positive". SCFE itself is the case k = 0.
 *
 * SCFE (Wachter et al. 2018, official SCFE_modified). Minimise (max(0, t − f(x')))² + λ‖x' − x‖₂ over x' by Adam
 * (lr 0.5), recording every iterate that is valid; λ starts at 2.5 and is multiplied by `step` after a call that
 * found a valid iterate, divided otherwise; once a valid call is followed by an invalid one, λ is bisected between
 * the two. The iterate carries over from call to call; each call stops after maxIter/iterPerOpt steps or when
 * ‖x'ₜ − x'ₜ₋₁‖/‖x'ₜ‖ < 1e-5; the whole search stops after maxIter steps. The answer is the nearest valid iterate.
 */
import { cholSmall, cholSolveSmall } from "../../lib/math/linalg/chol_small.ts";
import { forward, gradAndGaussNewton, type Net, type Rows, sigmoid } from "./model.ts";

/** Per-row influence directions vᵢ = H⁻¹∇ℓᵢ (n × p row-major) with H the objective's curvature + damping·I. */
export function influenceDirections(net: Net, theta: ArrayLike<number>, rows: Rows, l2: number, damping: number) {
  const p = net.p, h = gradAndGaussNewton(net, theta, rows, l2).gn;
  for (let j = 0; j < p; j++) h[j * p + j] += damping;
  if (!cholSmall(h, p)) throw new Error("influenceDirections: H + damping·I is not positive definite");
  const v = new Float64Array(rows.n * p), J = new Float64Array(p);
  for (let i = 0; i < rows.n; i++) {
    const f = forward(net, theta, rows.x, i * net.d, J), r = sigmoid(f) - rows.y[i];
    for (let a = 0; a < p; a++) v[i * p + a] = r * J[a];
    cholSolveSmall(h, p, v, i * p);
  }
  return v;
}

/** Aᵢ(z) = ∂f/∂θ(z)ᵀ vᵢ for every training row i: n times the first-order logit change at z from deleting i. */
export function logitInfluence(net: Net, theta: ArrayLike<number>, v: Float64Array, n: number, z: ArrayLike<number>) {
  const p = net.p, J = new Float64Array(p);
  forward(net, theta, z, 0, J);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += J[j] * v[i * p + j];
    a[i] = s;
  }
  return a;
}

/** The k rows with the smallest Aᵢ (ties by index): the deletions that lower the logit most, to first order. */
export function worstDeletions(a: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: a.length }, (_, i) => i);
  idx.sort((i, j) => a[i] - a[j] || i - j);
  return idx.slice(0, k);
}

/** θ + (1/n) Σ_{i∈S} vᵢ: the first-order model after deleting S. */
export function deletedParams(theta: ArrayLike<number>, v: Float64Array, n: number, p: number, set: number[]) {
  const out = Float64Array.from(theta);
  for (const i of set) for (let j = 0; j < p; j++) out[j] += v[i * p + j] / n;
  return out;
}

/** SCFE's settings (the official defaults in the comments). */
export interface ScfeOptions {
  /** Threshold t on the logit (0). */
  target: number;
  /** Initial λ (2.5). */
  lambda: number;
  /** λ multiplier (2). */
  step: number;
  /** Adam learning rate (0.5). */
  lr: number;
  /** Total Adam steps over the whole λ search. */
  maxIter: number;
  /** Each λ's call runs at most maxIter/iterPerOpt steps. */
  iterPerOpt: number;
  /** Relative-change stop of one call (1e-5). */
  tol: number;
}

/** A counterfactual: the point (null if none was valid), its ℓ2 distance from x, and the Adam steps spent. */
export interface Counterfactual {
  cf: Float64Array | null;
  cost: number;
  steps: number;
}

const norm2 = (a: ArrayLike<number>, b?: ArrayLike<number>) => {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - (b ? b[j] : 0)) ** 2;
  return Math.sqrt(s);
};

/**
 * SCFE's counterfactual for x: the loss uses the model `thetas[0]`; an iterate is valid when every model in
 * `thetas` gives f ≥ target there (official _check_cf_valid with the approximate and the original model).
 */
export function scfe(net: Net, thetas: ArrayLike<number>[], x: ArrayLike<number>, o: ScfeOptions): Counterfactual {
  const d = net.d, cf = Float64Array.from(x), gx = new Float64Array(d);
  let best: Float64Array | null = null, bestCost = Infinity, total = 0;
  const valid = (z: Float64Array) => thetas.every((th) => forward(net, th, z, 0) >= o.target);

  /** One λ: Adam from the current iterate with fresh moments; true if some iterate was valid. */
  const optimise = (lambda: number): boolean => {
    const m = new Float64Array(d), v = new Float64Array(d), b1 = 0.9, b2 = 0.999, eps = 1e-8;
    let found = false;
    for (let t = 1; t <= o.maxIter / o.iterPerOpt; t++) {
      const prev = Float64Array.from(cf);
      const f = forward(net, thetas[0], cf, 0, null, gx);
      const gap = Math.max(0, o.target - f), dist = norm2(cf, x);
      for (let j = 0; j < d; j++) {
        // ∂/∂x' of gap² + λ‖x' − x‖ (subgradient 0 at x' = x).
        const g = -2 * gap * gx[j] + (dist > 0 ? (lambda * (cf[j] - x[j])) / dist : 0);
        m[j] = b1 * m[j] + (1 - b1) * g;
        v[j] = b2 * v[j] + (1 - b2) * g * g;
        cf[j] -= (o.lr * (m[j] / (1 - b1 ** t))) / (Math.sqrt(v[j] / (1 - b2 ** t)) + eps);
      }
      total++;
      if (valid(cf)) {
        found = true;
        const c = norm2(cf, x);
        if (c < bestCost) [best, bestCost] = [Float64Array.from(cf), c];
      }
      if (norm2(prev, cf) / norm2(cf) < o.tol || total >= o.maxIter) break;
    }
    return found;
  };

  let lambda = o.lambda, lambdaOld = lambda, calls = 0, prevInc = false, currInc = false;
  while (total < o.maxIter) {
    const found = optimise(lambda);
    calls++;
    if (found) {
      lambdaOld = lambda;
      lambda *= o.step;
      prevInc = currInc;
      currInc = true;
      continue;
    }
    prevInc = currInc;
    currInc = false;
    if (calls >= 2 && prevInc && !currInc) {
      // Bisect between the last λ that found a valid iterate and the first that did not.
      let lo = lambdaOld, hi = lambda;
      while (hi > lo && total < o.maxIter) {
        const mid = (lo + hi) / 2;
        if (mid === lo || mid === hi) break;
        if (optimise(mid)) lo = mid;
        else hi = mid;
      }
      break;
    }
    lambdaOld = lambda;
    lambda /= o.step;
  }
  return { cf: best, cost: best ? bestCost : NaN, steps: total };
}

/** The minimal-ℓ2 counterfactual of a linear logit wᵀx + b ≥ t: x + max(0, t − wᵀx − b)·w/‖w‖² (a test reference). */
export function linearProjection(w: ArrayLike<number>, b: number, x: ArrayLike<number>, t: number): Float64Array {
  let f = b, ww = 0;
  for (let j = 0; j < x.length; j++) [f, ww] = [f + w[j] * x[j], ww + w[j] * w[j]];
  const s = Math.max(0, t - f) / ww;
  return Float64Array.from(x, (xj, j) => xj + s * w[j]);
}
