/**
 * A parameter-free residual attention layer for the training kit: y = x + A(x), where A is full attention over the
 * H·W positions, KAO_KV or KAO_QKV (kao.ts), with scores scaled by 1/√C, or absent ("none": y = x). Inputs are
 * C×H×W per sample (NCHW, as Conv2d gives them); the layer transposes to H·W × C internally. The backward is
 * written by hand (checked by finite differences in the tests).
 */
import type { Arr } from "../../lib/math/nn/gemm.ts";
import type { Ctx, Layer } from "../../lib/math/nn/layer.ts";
import type { ParamSpec } from "../../lib/math/nn/params.ts";
import { attend, type Cost, pool } from "./kao.ts";

/** Which attention the layer applies. */
export type AttnMode = "none" | "full" | "kaoKV" | "kaoQKV";

/** Gradients of out = softmax(scale·q kvᵀ)·kv with respect to q and kv (kv used as keys and values). */
export function attendBackward(
  q: Float64Array,
  nq: number,
  kv: Float64Array,
  nk: number,
  C: number,
  scale: number,
  a: Float64Array,
  dOut: Float64Array,
) {
  const dq = new Float64Array(nq * C), dkv = new Float64Array(nk * C), ds = new Float64Array(nk);
  for (let i = 0; i < nq; i++) {
    let dot = 0;
    for (let b = 0; b < nk; b++) {
      let da = 0;
      for (let c = 0; c < C; c++) da += dOut[i * C + c] * kv[b * C + c];
      ds[b] = da;
      dot += da * a[i * nk + b];
    }
    for (let b = 0; b < nk; b++) {
      const w = a[i * nk + b], g = scale * w * (ds[b] - dot);
      for (let c = 0; c < C; c++) {
        dq[i * C + c] += g * kv[b * C + c];
        dkv[b * C + c] += g * q[i * C + c] + w * dOut[i * C + c];
      }
    }
  }
  return { dq, dkv };
}

/** Adds the transpose of {@link pool} applied to dP ((H + W) × C) into dX (H·W × C). */
function poolBackward(dP: Float64Array, H: number, W: number, C: number, dX: Float64Array): void {
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      for (let c = 0; c < C; c++) dX[(i * W + j) * C + c] += dP[j * C + c] / H + dP[(W + i) * C + c] / W;
    }
  }
}

/** One sample: X (H·W × C) ↦ A(X), with what the backward needs. */
function sampleForward(mode: AttnMode, X: Float64Array, H: number, W: number, C: number, scale: number) {
  const n = H * W, m = H + W, cost: Cost = { flops: 0, memFloats: 0 };
  if (mode === "full") {
    const f = attend(X, n, X, n, C, cost, scale);
    return { out: f.out, a: f.a, p: X };
  }
  const p = pool(X, H, W, C, cost);
  if (mode === "kaoKV") {
    const f = attend(X, n, p, m, C, cost, scale);
    return { out: f.out, a: f.a, p };
  }
  const f = attend(p, m, p, m, C, cost, scale), out = new Float64Array(n * C);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      for (let c = 0; c < C; c++) out[(i * W + j) * C + c] = f.out[(W + i) * C + c] + f.out[j * C + c];
    }
  }
  return { out, a: f.a, p, po: f.out };
}

/** dX of one sample's attention output, given dO (H·W × C). */
function sampleBackward(
  mode: AttnMode,
  X: Float64Array,
  H: number,
  W: number,
  C: number,
  scale: number,
  st: { a: Float64Array; p: Float64Array },
  dO: Float64Array,
): Float64Array {
  const n = H * W, m = H + W, dX = new Float64Array(n * C);
  if (mode === "full") {
    const g = attendBackward(X, n, X, n, C, scale, st.a, dO);
    for (let k = 0; k < n * C; k++) dX[k] = g.dq[k] + g.dkv[k];
    return dX;
  }
  if (mode === "kaoKV") {
    const g = attendBackward(X, n, st.p, m, C, scale, st.a, dO);
    dX.set(g.dq);
    poolBackward(g.dkv, H, W, C, dX);
    return dX;
  }
  const dPo = new Float64Array(m * C);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      for (let c = 0; c < C; c++) {
        const v = dO[(i * W + j) * C + c];
        dPo[j * C + c] += v;
        dPo[(W + i) * C + c] += v;
      }
    }
  }
  const g = attendBackward(st.p, m, st.p, m, C, scale, st.a, dPo);
  for (let k = 0; k < m * C; k++) g.dq[k] += g.dkv[k];
  poolBackward(g.dq, H, W, C, dX);
  return dX;
}

/** y = x + A(x) on C×H×W samples (see the file header). */
export class ResidualAttention implements Layer {
  readonly label: string;
  #shape = [0, 0, 0];
  #x: Float64Array[] = [];
  #st: { a: Float64Array; p: Float64Array }[] = [];

  constructor(readonly mode: AttnMode) {
    this.label = `residual attention (${mode})`;
  }

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    if (inShape.length !== 3) throw new Error(`ResidualAttention needs C×H×W inputs, got [${inShape}]`);
    this.#shape = inShape;
    return { outShape: inShape, params: [] };
  }

  bind(): void {}

  forward(x: Arr, batch: number, _ctx: Ctx, _train: boolean): Arr {
    if (this.mode === "none") return x;
    const [C, H, W] = this.#shape, n = H * W, scale = 1 / Math.sqrt(C);
    const y = new Float64Array(batch * C * n);
    this.#x = [];
    this.#st = [];
    for (let s = 0; s < batch; s++) {
      const X = new Float64Array(n * C), off = s * C * n;
      for (let c = 0; c < C; c++) for (let p = 0; p < n; p++) X[p * C + c] = x[off + c * n + p];
      const f = sampleForward(this.mode, X, H, W, C, scale);
      for (let c = 0; c < C; c++) {
        for (let p = 0; p < n; p++) y[off + c * n + p] = x[off + c * n + p] + f.out[p * C + c];
      }
      this.#x.push(X);
      this.#st.push(f);
    }
    return y;
  }

  backward(dy: Arr, batch: number, _ctx: Ctx, needDx: boolean): Arr | null {
    if (!needDx) return null;
    if (this.mode === "none") return dy;
    const [C, H, W] = this.#shape, n = H * W, scale = 1 / Math.sqrt(C);
    const dx = new Float64Array(batch * C * n);
    for (let s = 0; s < batch; s++) {
      const dO = new Float64Array(n * C), off = s * C * n;
      for (let c = 0; c < C; c++) for (let p = 0; p < n; p++) dO[p * C + c] = dy[off + c * n + p];
      const dX = sampleBackward(this.mode, this.#x[s], H, W, C, scale, this.#st[s], dO);
      for (let c = 0; c < C; c++) for (let p = 0; p < n; p++) dx[off + c * n + p] = dy[off + c * n + p] + dX[p * C + c];
    }
    return dx;
  }
}
