/**
 * ℓ1-regularized logistic regression without intercept, in liblinear's form (the official code fits
 * `LogisticRegression(penalty="l1", fit_intercept=False, C, solver="liblinear")`):
 *
 *   F(θ) = C · Σᵢ ℓ(θᵀxᵢ, yᵢ) + ‖θ‖₁,   ℓ(t, y) = log(1 + eᵗ) − y·t,   y ∈ {0, 1}.
 *
 * Solved by proximal Newton with coordinate descent on each quadratic model (newGLMNET), until the largest violation
 * of the optimality conditions
 *   C·Σᵢ gᵢ x_ik + sign(θ_k) = 0 (θ_k ≠ 0),   |C·Σᵢ gᵢ x_ik| ≤ 1 (θ_k = 0),   gᵢ = σ(θᵀxᵢ) − yᵢ,
 * is below `tol`. A proximal-gradient (ISTA) path of the same objective gives TracIn its checkpoints.
 */

/** A design matrix, row-major n × d, with labels in {0, 1}. */
export interface Design {
  x: Float64Array;
  y: Float64Array;
  n: number;
  d: number;
}

/** σ(t) = 1 / (1 + e^{−t}), without overflow. */
export function sigmoid(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

/** log(1 + eᵗ), without overflow. */
export function softplus(t: number): number {
  return Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
}

/** t = Xθ. */
export function margins(ds: Design, theta: Float64Array): Float64Array {
  const { x, n, d } = ds, t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[i * d + k] * theta[k];
    t[i] = s;
  }
  return t;
}

/** The objective F(θ) = C Σᵢ ℓ(θᵀxᵢ, yᵢ) + ‖θ‖₁. */
export function objective(ds: Design, theta: Float64Array, c: number): number {
  const t = margins(ds, theta);
  let f = 0, r = 0;
  for (let i = 0; i < ds.n; i++) f += softplus(t[i]) - ds.y[i] * t[i];
  for (let k = 0; k < ds.d; k++) r += Math.abs(theta[k]);
  return c * f + r;
}

/** ∇ of the smooth part, C·Xᵀ(σ(Xθ) − y). */
export function lossGradient(ds: Design, theta: Float64Array, c: number): Float64Array {
  const t = margins(ds, theta), g = new Float64Array(ds.d);
  for (let i = 0; i < ds.n; i++) {
    const r = c * (sigmoid(t[i]) - ds.y[i]);
    for (let k = 0; k < ds.d; k++) g[k] += r * ds.x[i * ds.d + k];
  }
  return g;
}

/** Largest violation of the optimality conditions of F at θ (0 at the minimizer). */
export function kktViolation(ds: Design, theta: Float64Array, c: number): number {
  const g = lossGradient(ds, theta, c);
  let v = 0;
  for (let k = 0; k < ds.d; k++) {
    const e = theta[k] !== 0 ? Math.abs(g[k] + Math.sign(theta[k])) : Math.max(Math.abs(g[k]) - 1, 0);
    v = Math.max(v, e);
  }
  return v;
}

/** The minimizer found, its optimality violation and the Newton iterations it took. */
export interface L1Fit {
  theta: Float64Array;
  kkt: number;
  iters: number;
}

/**
 * Minimize F from `init` (default 0) by proximal Newton (newGLMNET; Yuan, Ho and Lin 2012, liblinear's solver for
 * this problem): at θ, the quadratic model ∇ᵀd + ½dᵀ(C·XᵀWX)d + ‖θ + d‖₁ (W = diag σ'(Xθ)) is minimized by cyclic
 * coordinate descent over the working set (the support and every coordinate with |∇_k| ≥ 1 − 10⁻³), then an Armijo
 * line search on F sets the step. Stops when the largest KKT violation is below `tol`.
 */
export function fitL1Logistic(
  ds: Design,
  c: number,
  o: { tol?: number; maxIters?: number; init?: Float64Array } = {},
): L1Fit {
  const { n, d, x, y } = ds, tol = o.tol ?? 1e-9, maxIters = o.maxIters ?? 200;
  const theta = o.init ? Float64Array.from(o.init) : new Float64Array(d);
  let iters = 0, kkt = Infinity;
  const l1 = (v: Float64Array) => v.reduce((a, b) => a + Math.abs(b), 0);
  const smooth = (t: Float64Array) => {
    let f = 0;
    for (let i = 0; i < n; i++) f += softplus(t[i]) - y[i] * t[i];
    return c * f;
  };
  let t = margins(ds, theta);
  for (; iters < maxIters; iters++) {
    const w = new Float64Array(n), r = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = sigmoid(t[i]);
      r[i] = c * (s - y[i]);
      w[i] = c * s * (1 - s);
    }
    const g = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) g[k] += r[i] * x[i * d + k];
    kkt = 0;
    for (let k = 0; k < d; k++) {
      kkt = Math.max(kkt, theta[k] !== 0 ? Math.abs(g[k] + Math.sign(theta[k])) : Math.max(Math.abs(g[k]) - 1, 0));
    }
    if (kkt < tol) break;
    const ws: number[] = [];
    for (let k = 0; k < d; k++) if (theta[k] !== 0 || Math.abs(g[k]) >= 1 - 1e-3) ws.push(k);
    const p = ws.length, h = new Float64Array(p * p), xw = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < p; a++) xw[a] = x[i * d + ws[a]];
      for (let a = 0; a < p; a++) {
        const v = w[i] * xw[a];
        if (v === 0) continue;
        for (let b = 0; b <= a; b++) h[a * p + b] += v * xw[b];
      }
    }
    for (let a = 0; a < p; a++) {
      h[a * p + a] += 1e-12;
      for (let b = 0; b < a; b++) h[b * p + a] = h[a * p + b];
    }
    // Coordinate descent on the quadratic model over the working set; hd = H·d kept up to date.
    const dd = new Float64Array(p), hd = new Float64Array(p);
    for (let sweep = 0; sweep < 500; sweep++) {
      let change = 0;
      for (let a = 0; a < p; a++) {
        const haa = h[a * p + a], z = theta[ws[a]] + dd[a];
        const u = z - (g[ws[a]] + hd[a]) / haa;
        const zNew = Math.sign(u) * Math.max(Math.abs(u) - 1 / haa, 0), delta = zNew - z;
        if (delta === 0) continue;
        dd[a] += delta;
        for (let b = 0; b < p; b++) hd[b] += delta * h[b * p + a];
        change = Math.max(change, Math.abs(delta) * haa);
      }
      if (change < 0.1 * tol) break;
    }
    const step = new Float64Array(d);
    ws.forEach((k, a) => (step[k] = dd[a]));
    const xd = margins(ds, step);
    let decrease = 0;
    for (let k = 0; k < d; k++) decrease += g[k] * step[k] + Math.abs(theta[k] + step[k]) - Math.abs(theta[k]);
    const f0 = smooth(t) + l1(theta);
    let lam = 1;
    // Below the rounding error of F (≈ n·eps·|F|) the Armijo test is noise: the full Newton step is taken.
    for (let ls = 0; ls < 50 && -decrease > 1e-13 * Math.max(1, f0); ls++) {
      const tt = t.map((ti, i) => ti + lam * xd[i]);
      const th = theta.map((v, k) => v + lam * step[k]);
      if (smooth(tt) + l1(th) <= f0 + 0.01 * lam * decrease) break;
      lam *= 0.5;
    }
    for (let k = 0; k < d; k++) theta[k] += lam * step[k];
    t = margins(ds, theta);
  }
  return { theta, kkt, iters };
}

/** A TracIn checkpoint: the parameters at one point of training and the step size used there. */
export interface Checkpoint {
  theta: Float64Array;
  eta: number;
}

/**
 * ISTA on F from θ = 0 with step η = 1/L, L = C·‖X‖₂²/4 (a Lipschitz constant of the smooth part's gradient, ‖X‖₂
 * by power iteration), saving the iterate every `every` steps: the checkpoints TracIn sums over.
 */
export function istaCheckpoints(ds: Design, c: number, o: { steps: number; every: number }): Checkpoint[] {
  const { n, d, x } = ds;
  let v = new Float64Array(d).fill(1 / Math.sqrt(d)), norm2 = 0;
  for (let it = 0; it < 50; it++) {
    const xv = margins(ds, v), w = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) w[k] += x[i * d + k] * xv[i];
    norm2 = Math.hypot(...w);
    v = w.map((z) => z / norm2);
  }
  const eta = 1 / (c * norm2 / 4);
  const theta = new Float64Array(d), out: Checkpoint[] = [];
  for (let s = 1; s <= o.steps; s++) {
    const g = lossGradient(ds, theta, c);
    for (let k = 0; k < d; k++) {
      const z = theta[k] - eta * g[k];
      theta[k] = Math.sign(z) * Math.max(Math.abs(z) - eta, 0);
    }
    if (s % o.every === 0) out.push({ theta: Float64Array.from(theta), eta });
  }
  return out;
}
