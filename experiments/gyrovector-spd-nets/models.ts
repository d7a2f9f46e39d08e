/**
 * The two classifiers compared, sharing one backbone (BiMap d → e, ReEig), trained by the same mini-batch SGD:
 *
 * - `spdnet`: LogEig + linear softmax on the upper triangle of log(Y) (Huang & Van Gool 2017).
 * - `gyro`: the affine-invariant gyro MLR head, logit_k = ⟨log(Q_k Y Q_k), A_k⟩_F, Q_k = exp(T_k) = P_k^{−1/2}
 *   (Nguyen & Yang 2023; see spdnn.ts).
 *
 * Gradients by hand (Daleckii–Krein for every matrix function); W takes Riemannian SGD steps on the Stiefel
 * manifold with a QR retraction, every other parameter plain SGD steps of the same size.
 */
import { matmulSmall } from "../../lib/math/linalg/mat_small.ts";
import type { Rng } from "../../lib/math/rng.ts";
import {
  bimap,
  EXP,
  LOG,
  type MatFn,
  matFn,
  matFnBackward,
  qf,
  reeig,
  stiefelGrad,
  unvecSym,
  vecSym,
} from "./spdnn.ts";

export type Head = "spdnet" | "gyro";

export interface Net {
  head: Head;
  d: number;
  e: number;
  classes: number;
  eps: number;
  /** BiMap weight, d×e, orthonormal columns. */
  w: Float64Array;
  /** spdnet: C × p linear weights and C biases. gyro: C vectors a_k (p) and t_k (p). */
  v: Float64Array;
  b: Float64Array;
  t: Float64Array;
}

const pOf = (e: number) => (e * (e + 1)) / 2;

export function initNet(o: { head: Head; d: number; e: number; classes: number; eps: number }, rng: Rng): Net {
  const p = pOf(o.e);
  const w = qf(rng.normal(o.d * o.e), o.d, o.e);
  const v = rng.normal(o.classes * p).map((x) => x / Math.sqrt(p));
  return { ...o, w, v, b: new Float64Array(o.classes), t: new Float64Array(o.classes * p) };
}

export interface Grad {
  w: Float64Array;
  v: Float64Array;
  b: Float64Array;
  t: Float64Array;
}

/** Per-batch cache of Q_k = exp(T_k) for the gyro head. */
function headQs(net: Net): MatFn[] {
  const p = pOf(net.e);
  return Array.from(
    { length: net.classes },
    (_, k) => matFn(unvecSym(net.t.subarray(k * p, (k + 1) * p), net.e), net.e, EXP),
  );
}

function logits(net: Net, x: Float64Array, qs: MatFn[] | null) {
  const { d, e, classes } = net, p = pOf(e);
  const y = bimap(x, net.w, d, e);
  const r = matFn(y, e, reeig(net.eps));
  const z = new Float64Array(classes);
  if (net.head === "spdnet") {
    const lg = matFn(r.out, e, LOG), v = vecSym(lg.out, e);
    for (let k = 0; k < classes; k++) {
      let s = net.b[k];
      for (let j = 0; j < p; j++) s += net.v[k * p + j] * v[j];
      z[k] = s;
    }
    return { z, y, r, lg, vec: v, zs: [] as { q: Float64Array; zq: MatFn; vz: Float64Array }[] };
  }
  const zs = qs!.map((qm, k) => {
    const q = qm.out;
    const zq = matFn(matmulSmall(matmulSmall(q, r.out, e, e, e), q, e, e, e), e, LOG);
    const vz = vecSym(zq.out, e);
    let s = 0;
    for (let j = 0; j < p; j++) s += net.v[k * p + j] * vz[j];
    z[k] = s;
    return { q, zq, vz };
  });
  return { z, y, r, lg: null, vec: null, zs };
}

/** Class scores for each input. */
export function predict(net: Net, xs: readonly Float64Array[]): Int32Array {
  const qs = net.head === "gyro" ? headQs(net) : null;
  return Int32Array.from(xs.map((x) => {
    const { z } = logits(net, x, qs);
    let best = 0;
    for (let k = 1; k < z.length; k++) if (z[k] > z[best]) best = k;
    return best;
  }));
}

/** Mean cross-entropy over a batch and its gradient. */
export function lossAndGrad(
  net: Net,
  xs: readonly Float64Array[],
  ys: ArrayLike<number>,
): { loss: number; grad: Grad } {
  const { d, e, classes } = net, p = pOf(e), n = xs.length;
  const grad: Grad = {
    w: new Float64Array(d * e),
    v: new Float64Array(classes * p),
    b: new Float64Array(classes),
    t: new Float64Array(classes * p),
  };
  const qs = net.head === "gyro" ? headQs(net) : null;
  const dQ = qs ? qs.map(() => new Float64Array(e * e)) : [];
  let loss = 0;
  for (let s = 0; s < n; s++) {
    const x = xs[s], f = logits(net, x, qs);
    const m = Math.max(...f.z);
    const ex = f.z.map((v) => Math.exp(v - m)), se = ex.reduce((a, b) => a + b, 0);
    loss += -(f.z[ys[s]] - m - Math.log(se)) / n;
    const g = ex.map((v, k) => (v / se - (k === ys[s] ? 1 : 0)) / n);
    let dR: Float64Array;
    if (net.head === "spdnet") {
      const dv = new Float64Array(p);
      for (let k = 0; k < classes; k++) {
        grad.b[k] += g[k];
        for (let j = 0; j < p; j++) {
          grad.v[k * p + j] += g[k] * f.vec![j];
          dv[j] += g[k] * net.v[k * p + j];
        }
      }
      dR = matFnBackward(f.lg!, unvecSym(dv, e), e);
    } else {
      dR = new Float64Array(e * e);
      const R = f.r.out;
      for (let k = 0; k < classes; k++) {
        const { q, zq, vz } = f.zs[k];
        for (let j = 0; j < p; j++) grad.v[k * p + j] += g[k] * vz[j];
        const gl = unvecSym(net.v.subarray(k * p, (k + 1) * p), e).map((a) => a * g[k]);
        const gz = matFnBackward(zq, gl, e);
        // Z = Q R Q: dR += Q G Q; dQ += G Q R + R Q G.
        const qg = matmulSmall(q, gz, e, e, e);
        const qgq = matmulSmall(qg, q, e, e, e);
        const gqr = matmulSmall(matmulSmall(gz, q, e, e, e), R, e, e, e);
        for (let i = 0; i < e * e; i++) dR[i] += qgq[i];
        for (let i = 0; i < e; i++) {
          for (let j = 0; j < e; j++) dQ[k][i * e + j] += gqr[i * e + j] + gqr[j * e + i];
        }
      }
    }
    const dY = matFnBackward(f.r, dR, e);
    // Y = Wᵀ X W: dW = 2 X W sym(dY).
    const xw = matmulSmall(x, net.w, d, d, e);
    const dw = matmulSmall(xw, dY.map((_, i) => 0.5 * (dY[i] + dY[(i % e) * e + Math.floor(i / e)])), d, e, e);
    for (let i = 0; i < d * e; i++) grad.w[i] += 2 * dw[i];
  }
  if (qs) {
    qs.forEach((qm, k) => {
      const dT = matFnBackward(qm, dQ[k], e);
      grad.t.set(vecSym(dT.map((_, i) => 0.5 * (dT[i] + dT[(i % e) * e + Math.floor(i / e)])), e), k * p);
    });
  }
  return { loss, grad };
}

export interface TrainOptions {
  lr: number;
  epochs: number;
  batch: number;
  momentum: number;
}

/** Mini-batch SGD with momentum; W by Riemannian SGD + QR retraction. Returns the per-epoch training loss. */
export function train(net: Net, xs: readonly Float64Array[], ys: Int32Array, o: TrainOptions, rng: Rng): number[] {
  const n = xs.length, losses: number[] = [];
  const mom = {
    w: new Float64Array(net.w.length),
    v: new Float64Array(net.v.length),
    b: new Float64Array(net.b.length),
    t: new Float64Array(net.t.length),
  };
  for (let ep = 0; ep < o.epochs; ep++) {
    const perm = rng.permutation(n);
    let tot = 0;
    for (let s = 0; s < n; s += o.batch) {
      const idx = Array.from(perm.subarray(s, Math.min(n, s + o.batch)));
      const { loss, grad } = lossAndGrad(net, idx.map((i) => xs[i]), idx.map((i) => ys[i]));
      if (!Number.isFinite(loss)) throw new Error("training diverged (non-finite loss)");
      tot += loss * idx.length;
      const rg = stiefelGrad(net.w, grad.w, net.d, net.e);
      for (let i = 0; i < rg.length; i++) mom.w[i] = o.momentum * mom.w[i] + rg[i];
      // Project the momentum to the current tangent space before the step (a simple vector transport).
      const mw = stiefelGrad(net.w, mom.w, net.d, net.e);
      mom.w.set(mw);
      net.w = qf(net.w.map((v, i) => v - o.lr * mw[i]), net.d, net.e);
      for (const key of ["v", "b", "t"] as const) {
        const pm = mom[key], gk = grad[key], pv = net[key];
        for (let i = 0; i < pv.length; i++) {
          pm[i] = o.momentum * pm[i] + gk[i];
          pv[i] -= o.lr * pm[i];
        }
      }
    }
    losses.push(tot / n);
  }
  return losses;
}
