/**
 * Node classification on embeddings, as the papers' scoring (DeepWalk's scoring.py): one-vs-rest L2-regularized
 * logistic regression (liblinear's objective, ½‖w‖² + C Σ log(1 + e^{−y wᵀx}), with an unregularized bias), one
 * label per node predicted as the class of largest score; Micro-F1 and Macro-F1 on the test nodes.
 */

/** Minimize f by L-BFGS (memory m) with a backtracking Armijo line search; returns x. */
export function lbfgs(
  f: (x: Float64Array, g: Float64Array) => number,
  x0: Float64Array,
  o: { iters: number; m?: number; tol?: number },
): Float64Array {
  const m = o.m ?? 8, tol = o.tol ?? 1e-6, n = x0.length;
  const x = Float64Array.from(x0), g = new Float64Array(n);
  let fx = f(x, g);
  const S: Float64Array[] = [], Y: Float64Array[] = [], rho: number[] = [];
  const dir = new Float64Array(n), xn = new Float64Array(n), gn = new Float64Array(n), alpha = new Float64Array(m);
  for (let it = 0; it < o.iters; it++) {
    let gnorm = 0;
    for (let i = 0; i < n; i++) gnorm += g[i] * g[i];
    if (Math.sqrt(gnorm) < tol) break;
    for (let i = 0; i < n; i++) dir[i] = -g[i];
    for (let j = S.length - 1; j >= 0; j--) {
      let a = 0;
      for (let i = 0; i < n; i++) a += S[j][i] * dir[i];
      alpha[j] = rho[j] * a;
      for (let i = 0; i < n; i++) dir[i] -= alpha[j] * Y[j][i];
    }
    if (S.length > 0) {
      const k = S.length - 1;
      let sy = 0, yy = 0;
      for (let i = 0; i < n; i++) {
        sy += S[k][i] * Y[k][i];
        yy += Y[k][i] * Y[k][i];
      }
      for (let i = 0; i < n; i++) dir[i] *= sy / yy;
    }
    for (let j = 0; j < S.length; j++) {
      let b = 0;
      for (let i = 0; i < n; i++) b += Y[j][i] * dir[i];
      b *= rho[j];
      for (let i = 0; i < n; i++) dir[i] += (alpha[j] - b) * S[j][i];
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += g[i] * dir[i];
    if (slope >= 0) {
      for (let i = 0; i < n; i++) dir[i] = -g[i];
      slope = -gnorm;
      S.length = Y.length = rho.length = 0;
    }
    let step = 1, fn = 0;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xn[i] = x[i] + step * dir[i];
      fn = f(xn, gn);
      if (fn <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    const s = new Float64Array(n), y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xn[i] - x[i];
      y[i] = gn[i] - g[i];
      sy += s[i] * y[i];
    }
    x.set(xn);
    g.set(gn);
    const done = Math.abs(fx - fn) <= 1e-10 * Math.max(1, Math.abs(fx));
    fx = fn;
    if (sy > 1e-12) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    if (done) break;
  }
  return x;
}

/** One-vs-rest logistic regression weights, (d + 1) per class (last: bias). */
export function fitOvR(
  x: Float64Array,
  d: number,
  rows: readonly number[],
  labels: Int32Array,
  classes: number,
  C: number,
  /** Multi-label targets: whether row r carries class k (default: labels[r] === k). */
  positive: (r: number, k: number) => boolean = (r, k) => labels[r] === k,
): Float64Array[] {
  const models: Float64Array[] = [];
  for (let k = 0; k < classes; k++) {
    const f = (w: Float64Array, g: Float64Array) => {
      let loss = 0;
      g.fill(0);
      for (let j = 0; j < d; j++) {
        loss += 0.5 * w[j] * w[j];
        g[j] = w[j];
      }
      for (const r of rows) {
        const y = positive(r, k) ? 1 : -1;
        let z = w[d];
        for (let j = 0; j < d; j++) z += w[j] * x[r * d + j];
        const m = y * z;
        // log(1 + e^{−m}) and its derivative, stably
        loss += C * (m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m)));
        const coef = -C * y / (1 + Math.exp(m));
        for (let j = 0; j < d; j++) g[j] += coef * x[r * d + j];
        g[d] += coef;
      }
      return loss;
    };
    models.push(lbfgs(f, new Float64Array(d + 1), { iters: 200 }));
  }
  return models;
}

/** One-vs-rest decision values w_kᵀx + b_k of each row, rows × classes. */
export function scores(x: Float64Array, d: number, rows: readonly number[], models: Float64Array[]): Float64Array {
  const out = new Float64Array(rows.length * models.length);
  rows.forEach((r, i) => {
    models.forEach((w, k) => {
      let z = w[d];
      for (let j = 0; j < d; j++) z += w[j] * x[r * d + j];
      out[i * models.length + k] = z;
    });
  });
  return out;
}

export function predict(x: Float64Array, d: number, rows: readonly number[], models: Float64Array[]): Int32Array {
  const out = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    let best = -Infinity;
    models.forEach((w, k) => {
      let z = w[d];
      for (let j = 0; j < d; j++) z += w[j] * x[r * d + j];
      if (z > best) {
        best = z;
        out[i] = k;
      }
    });
  });
  return out;
}

/** Micro-F1 (= accuracy for one label per node) and Macro-F1 (mean over classes; F1 = 0 for a class never predicted nor present is skipped). */
export function f1Scores(
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  classes: number,
): { micro: number; macro: number } {
  const tp = new Float64Array(classes), fp = new Float64Array(classes), fn = new Float64Array(classes);
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] === pred[i]) {
      tp[truth[i]]++;
      correct++;
    } else {
      fp[pred[i]]++;
      fn[truth[i]]++;
    }
  }
  let sum = 0, count = 0;
  for (let k = 0; k < classes; k++) {
    if (tp[k] + fp[k] + fn[k] === 0) continue;
    sum += (2 * tp[k]) / (2 * tp[k] + fp[k] + fn[k]);
    count++;
  }
  return { micro: correct / truth.length, macro: count > 0 ? sum / count : 0 };
}
