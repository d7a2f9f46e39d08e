/**
 * The finite-width check: a two-layer ReLU network f(x) = (1/√n) Aᵀσ(Wx + βb) with W, b, A ~ N(0,1) (the same
 * parameterization as ntk.ts), trained by full-batch gradient descent on L = ½ Σ_i ‖f(e_i) − P e_i‖² over the k
 * basis vectors only. For a basis vector the pre-activation is W[:, i] + βb, so training costs O(n k²) per step.
 * Plain TypeScript loops (no jax-js): the problem is small and this keeps the gradient visible.
 */
import type { Rng } from "../../lib/math/rng.ts";

export interface Net {
  n: number;
  k: number;
  beta: number;
  w: Float64Array; // n × k
  b: Float64Array; // n
  a: Float64Array; // n × k (outputs)
}

export function initNet(n: number, k: number, beta: number, rng: Rng): Net {
  return { n, k, beta, w: rng.normal(n * k), b: rng.normal(n), a: rng.normal(n * k) };
}

/** Outputs on a batch of inputs (rows of x, N × k) → N × k. */
export function forward(net: Net, x: Float64Array): Float64Array {
  const { n, k, beta, w, b, a } = net, rows = x.length / k, out = new Float64Array(rows * k);
  const s = 1 / Math.sqrt(n);
  for (let p = 0; p < rows; p++) {
    for (let r = 0; r < n; r++) {
      let h = beta * b[r];
      for (let i = 0; i < k; i++) h += w[r * k + i] * x[p * k + i];
      if (h <= 0) continue;
      for (let o = 0; o < k; o++) out[p * k + o] += s * a[r * k + o] * h;
    }
  }
  return out;
}

/** Gradient descent on the k basis vectors with labels y(e_i) = e_{π(i)}; returns the final training loss. */
export function trainOnBasis(net: Net, perm: Int32Array, lr: number, steps: number): number {
  const { n, k, beta, w, b, a } = net, s = 1 / Math.sqrt(n);
  const h = new Float64Array(n * k), res = new Float64Array(k * k);
  let loss = Infinity;
  for (let t = 0; t <= steps; t++) {
    // forward on e_i: h[r,i] = W[r,i] + βb[r]; f(e_i)_o = s Σ_r A[r,o] σ(h[r,i])
    res.fill(0);
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < k; i++) {
        const v = w[r * k + i] + beta * b[r];
        h[r * k + i] = v;
        if (v > 0) { for (let o = 0; o < k; o++) res[i * k + o] += s * a[r * k + o] * v; }
      }
    }
    loss = 0;
    for (let i = 0; i < k; i++) {
      res[i * k + perm[i]] -= 1;
      for (let o = 0; o < k; o++) loss += 0.5 * res[i * k + o] ** 2;
    }
    if (t === steps || loss < 1e-14) break;
    // backward: dA[r,o] = s Σ_i σ(h) R[i,o]; dh[r,i] = s 1[h>0] Σ_o A[r,o] R[i,o]; dW[r,i] = dh; db[r] = β Σ_i dh
    const da = new Float64Array(k), dh = new Float64Array(k);
    for (let r = 0; r < n; r++) {
      da.fill(0);
      dh.fill(0);
      for (let i = 0; i < k; i++) {
        const v = h[r * k + i];
        if (v <= 0) continue;
        for (let o = 0; o < k; o++) {
          da[o] += s * v * res[i * k + o];
          dh[i] += s * a[r * k + o] * res[i * k + o];
        }
      }
      let db = 0;
      for (let i = 0; i < k; i++) {
        w[r * k + i] -= lr * dh[i];
        db += dh[i];
      }
      for (let o = 0; o < k; o++) a[r * k + o] -= lr * da[o];
      b[r] -= lr * beta * db;
    }
  }
  return loss;
}
