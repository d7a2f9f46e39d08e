/**
 * The two classifiers of the paper, as scalar-logit models f_θ(x) over one flat parameter vector θ, with their
 * training objective and the curvature the influence approximation needs.
 *
 * - `lr`: logistic regression, f = wᵀx + b, θ = [w; b] (official src/models.py LR_Model).
 * - `mlp`: two hidden layers of width h with the centred softplus s(z) = log(1 + eᶻ) − log 2 (official
 *   NN3_ModelSP, there with h = 2d), f = w₃ᵀ s(W₂ s(W₁x + b₁) + b₂) + b₃; θ = [W₁, b₁, W₂, b₂, w₃, b₃] row-major.
 *
 * Training minimises L(θ) = (1/n) Σ_{i kept} ℓ(f_θ(xᵢ), yᵢ) + (α/2)‖θ‖², ℓ(f, y) = log(1 + eᶠ) − y·f (binary
 * cross-entropy on logits), n the number of training rows before any deletion: deleting rows removes their terms
 * and leaves the weight of the regulariser against each remaining row as it was (sklearn's C·Σℓ + ½‖w‖² form,
 * the official LR; the first-order deletion formula of recourse.ts is the derivative of exactly this). It runs
 * Levenberg–Marquardt steps on the Gauss–Newton matrix G = (1/n) Σ σ'(fᵢ) JᵢJᵢᵀ + α·I, Jᵢ = ∂f/∂θ(xᵢ): for `lr` G is the exact Hessian (Newton's method); for `mlp` it is
 * the positive semi-definite Gauss–Newton part. Retraining after deletions restarts the same iteration from the
 * trained θ on the kept rows (warm start: the exact optimum for the convex `lr`, the nearby local one for `mlp`).
 */
import { cholSmall, cholSolveSmall } from "../../lib/math/linalg/chol_small.ts";
import type { Rng } from "../../lib/math/rng.ts";

/** Which model and its sizes: d inputs, h hidden units per layer (mlp), p parameters. */
export interface Net {
  kind: "lr" | "mlp";
  d: number;
  h: number;
  p: number;
}

export function makeNet(kind: "lr" | "mlp", d: number, h: number): Net {
  return { kind, d, h, p: kind === "lr" ? d + 1 : h * d + h + h * h + h + h + 1 };
}

const LOG2 = Math.log(2);
export const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

/** The MLP's activations and deltas (6h numbers), reused across calls: forward runs millions of times. */
let scratch = new Float64Array(0);

/**
 * f_θ(x) for row `xo` of `x` (row length net.d). If given, `gTheta` receives ∂f/∂θ (length p) and `gX` receives
 * ∂f/∂x (length d), both overwritten.
 */
export function forward(
  net: Net,
  theta: ArrayLike<number>,
  x: ArrayLike<number>,
  xo: number,
  gTheta?: Float64Array | null,
  gX?: Float64Array | null,
): number {
  const { d, h } = net;
  if (net.kind === "lr") {
    let f = theta[d];
    for (let j = 0; j < d; j++) f += theta[j] * x[xo + j];
    if (gTheta) {
      for (let j = 0; j < d; j++) gTheta[j] = x[xo + j];
      gTheta[d] = 1;
    }
    if (gX) { for (let j = 0; j < d; j++) gX[j] = theta[j]; }
    return f;
  }
  const oB1 = h * d, oW2 = oB1 + h, oB2 = oW2 + h * h, oW3 = oB2 + h, oB3 = oW3 + h;
  if (scratch.length < 6 * h) scratch = new Float64Array(6 * h);
  // scratch holds z₁ | a₁ | z₂ | a₂ | δ₂ | δ₁, h each.
  const s0 = scratch, A1 = h, Z2 = 2 * h, A2 = 3 * h, D2 = 4 * h, D1 = 5 * h;
  for (let u = 0; u < h; u++) {
    let s = theta[oB1 + u];
    for (let j = 0; j < d; j++) s += theta[u * d + j] * x[xo + j];
    s0[u] = s;
    s0[A1 + u] = softplus(s) - LOG2;
  }
  let f = theta[oB3];
  for (let u = 0; u < h; u++) {
    let s = theta[oB2 + u];
    for (let v = 0; v < h; v++) s += theta[oW2 + u * h + v] * s0[A1 + v];
    s0[Z2 + u] = s;
    s0[A2 + u] = softplus(s) - LOG2;
    f += theta[oW3 + u] * s0[A2 + u];
  }
  if (!gTheta && !gX) return f;
  // Backward: δ₂ = w₃ ⊙ σ(z₂), δ₁ = (W₂ᵀδ₂) ⊙ σ(z₁); ∂f/∂x = W₁ᵀδ₁.
  for (let u = 0; u < h; u++) s0[D2 + u] = theta[oW3 + u] * sigmoid(s0[Z2 + u]);
  for (let v = 0; v < h; v++) {
    let s = 0;
    for (let u = 0; u < h; u++) s += theta[oW2 + u * h + v] * s0[D2 + u];
    s0[D1 + v] = s * sigmoid(s0[v]);
  }
  if (gTheta) {
    for (let u = 0; u < h; u++) {
      const d1 = s0[D1 + u], d2 = s0[D2 + u];
      for (let j = 0; j < d; j++) gTheta[u * d + j] = d1 * x[xo + j];
      gTheta[oB1 + u] = d1;
      for (let v = 0; v < h; v++) gTheta[oW2 + u * h + v] = d2 * s0[A1 + v];
      gTheta[oB2 + u] = d2;
      gTheta[oW3 + u] = s0[A2 + u];
    }
    gTheta[oB3] = 1;
  }
  if (gX) {
    gX.fill(0);
    for (let u = 0; u < h; u++) for (let j = 0; j < d; j++) gX[j] += theta[u * d + j] * s0[D1 + u];
  }
  return f;
}

/** Initial parameters: zeros for `lr`; for `mlp`, weights N(0, 1/fan-in) and zero biases. */
export function initParams(net: Net, rng: Rng): Float64Array {
  const th = new Float64Array(net.p);
  if (net.kind === "lr") return th;
  const { d, h } = net, oB1 = h * d, oW2 = oB1 + h, oW3 = oW2 + h * h + h;
  for (let i = 0; i < h * d; i++) th[i] = (rng.normal() as number) / Math.sqrt(d);
  for (let i = 0; i < h * h; i++) th[oW2 + i] = (rng.normal() as number) / Math.sqrt(h);
  for (let i = 0; i < h; i++) th[oW3 + i] = (rng.normal() as number) / Math.sqrt(h);
  return th;
}

/** Training rows: features row-major (n × d), labels in {0, 1}, and which rows are kept (1) or deleted (0). */
export interface Rows {
  x: Float64Array;
  y: Uint8Array;
  n: number;
  keep?: Uint8Array;
}

/** Binary cross-entropy on a logit: log(1 + eᶠ) − y·f. */
export const bce = (f: number, y: number) => softplus(f) - y * f;

/** L(θ) = (1/n) Σ over kept rows of ℓ + (α/2)‖θ‖², n counting every row (see the header). */
export function objective(net: Net, theta: ArrayLike<number>, rows: Rows, l2: number): number {
  let s = 0;
  for (let i = 0; i < rows.n; i++) {
    if (rows.keep && !rows.keep[i]) continue;
    s += bce(forward(net, theta, rows.x, i * net.d), rows.y[i]);
  }
  let r = 0;
  for (let j = 0; j < net.p; j++) r += theta[j] * theta[j];
  return s / rows.n + 0.5 * l2 * r;
}

/**
 * Gradient ∇L and Gauss–Newton matrix G = (1/n) Σ_kept σ'(fᵢ) JᵢJᵢᵀ + α·I (full symmetric, row-major p × p) at θ.
 */
export function gradAndGaussNewton(
  net: Net,
  theta: ArrayLike<number>,
  rows: Rows,
  l2: number,
): { grad: Float64Array; gn: Float64Array; loss: number } {
  const p = net.p, grad = new Float64Array(p), gn = new Float64Array(p * p), J = new Float64Array(p);
  const m = rows.n;
  let loss = 0;
  for (let i = 0; i < rows.n; i++) {
    if (rows.keep && !rows.keep[i]) continue;
    const f = forward(net, theta, rows.x, i * net.d, J);
    const s = sigmoid(f), r = s - rows.y[i], w = s * (1 - s);
    loss += bce(f, rows.y[i]);
    for (let a = 0; a < p; a++) {
      grad[a] += r * J[a];
      const wa = w * J[a];
      if (wa === 0) continue;
      const row = a * p;
      for (let b = a; b < p; b++) gn[row + b] += wa * J[b];
    }
  }
  let reg = 0;
  for (let a = 0; a < p; a++) {
    grad[a] = grad[a] / m + l2 * theta[a];
    reg += theta[a] * theta[a];
    for (let b = a; b < p; b++) gn[a * p + b] /= m;
    gn[a * p + a] += l2;
    for (let b = a + 1; b < p; b++) gn[b * p + a] = gn[a * p + b];
  }
  return { grad, gn, loss: loss / m + 0.5 * l2 * reg };
}

/** Options of {@link train}. */
export interface TrainOptions {
  l2: number;
  /** Stop when ‖∇L‖∞ ≤ tol. */
  tol: number;
  maxIter: number;
}

/** What {@link train} returns: the parameters, the final ‖∇L‖∞, the accepted steps and L. */
export interface Trained {
  theta: Float64Array;
  gradNorm: number;
  iters: number;
  loss: number;
}

/**
 * Minimise L from `theta0` by Levenberg–Marquardt: solve (G + μI)s = −∇L, accept s if L decreases (μ ← μ/3), else
 * μ ← 4μ and retry. For `lr` (G the Hessian) this is damped Newton, quadratically convergent.
 */
export function train(net: Net, theta0: ArrayLike<number>, rows: Rows, o: TrainOptions): Trained {
  const p = net.p;
  let theta = Float64Array.from(theta0), mu = 1e-4, iters = 0;
  let { grad, gn, loss } = gradAndGaussNewton(net, theta, rows, o.l2);
  const gmax = (g: Float64Array) => g.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  while (gmax(grad) > o.tol && iters < o.maxIter) {
    let accepted = false;
    for (let tries = 0; tries < 30 && !accepted; tries++) {
      const a = Float64Array.from(gn);
      for (let j = 0; j < p; j++) a[j * p + j] += mu;
      if (!cholSmall(a, p)) {
        mu *= 4;
        continue;
      }
      const s = Float64Array.from(grad, (v) => -v);
      cholSolveSmall(a, p, s);
      const next = theta.map((v, j) => v + s[j]);
      const lNext = objective(net, next, rows, o.l2);
      if (lNext <= loss) {
        theta = next;
        mu = Math.max(mu / 3, 1e-12);
        accepted = true;
      } else mu *= 4;
    }
    iters++;
    if (!accepted) break;
    ({ grad, gn, loss } = gradAndGaussNewton(net, theta, rows, o.l2));
  }
  return { theta, gradNorm: gmax(grad), iters, loss };
}
