/**
 * Residual feed-forward ("bottleneck") blocks x ↦ x + FFN(x) as layers of the training kit (lib/math/nn Layer),
 * with four parameterisations of FFN: d → h → d (samples as rows, W stored out × in):
 *
 * - `dense`:   FFN(x) = W₂·F(W₁x + b₁) + b₂,         W₁ h×d, W₂ d×h          — 2hd weights (the baseline);
 * - `tied`:    FFN(x) = Wᵀ·F(Wx + b₁) + b₂,          W h×d                    — hd weights: the paper's
 *   column/row-space construction (Koyun & Töreyin 2024, arXiv 2401.16438: "FFN(x) = Wᵀ F(Wx + b₁) + b₂"): the
 *   one matrix maps into its column space, the nonlinearity leaves it, and Wᵀ maps back through its row space;
 * - `lowrank`: W₁ = U₁V₁, W₂ = U₂V₂ at rank r          — 2r(h + d) weights (r chosen to match `tied`);
 * - `dense` at hidden width h/2 is the "narrow" baseline with the same count as `tied`.
 * F is ReLU. Gradients (row-major batch, dY = ∂L/∂Y, Z = X·W₁ᵀ + b₁, A = F(Z)):
 *   dense:  ∂W₂ += dYᵀA, dA = dY·W₂, dZ = dA ⊙ [Z > 0], ∂W₁ += dZᵀX, dX = dY + dZ·W₁;
 *   tied:   Y = X + A·W + b₂, so ∂W += AᵀdY (second use) + dZᵀX (first use), dA = dY·Wᵀ, dX = dY + dZ·W;
 *   lowrank: the same through T₁ = X·V₁ᵀ and T₂ = A·V₂ᵀ.
 */
import type { Arr } from "../../lib/math/nn/gemm.ts";
import { type Ctx, type Layer, Scratch } from "../../lib/math/nn/layer.ts";
import type { Param, ParamSpec } from "../../lib/math/nn/params.ts";

export type FfnKind = "dense" | "tied" | "lowrank";

/** Weights (biases excluded) of one FFN of this kind. */
export function ffnWeights(kind: FfnKind, d: number, h: number, rank: number): number {
  return kind === "dense" ? 2 * h * d : kind === "tied" ? h * d : 2 * rank * (h + d);
}

/** The rank at which `lowrank` has (at most) the weights of `tied`: ⌊hd / (2(h + d))⌋. */
export function matchedRank(d: number, h: number): number {
  return Math.floor((h * d) / (2 * (h + d)));
}

function colSums(dy: Arr, batch: number, m: number, out: Arr): void {
  for (let i = 0; i < batch; i++) for (let j = 0; j < m; j++) out[j] += dy[i * m + j];
}

/** x ↦ x + FFN(x) with FFN of the given kind. */
export class ResidualFfn implements Layer {
  readonly label: string;
  #d = 0;
  #p: Param[] = [];
  #x: Arr | null = null;
  #z = new Scratch();
  #a = new Scratch();
  #t1 = new Scratch();
  #t2 = new Scratch();
  #y = new Scratch();
  #da = new Scratch();
  #dt = new Scratch();
  #dx = new Scratch();

  constructor(readonly kind: FfnKind, readonly hidden: number, readonly rank = 0) {
    this.label = `residual ffn (${kind}, h=${hidden}${kind === "lowrank" ? `, r=${rank}` : ""})`;
  }

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    const d = (this.#d = inShape.reduce((a, b) => a * b, 1)), h = this.hidden, r = this.rank;
    // LeCun normal (variance 1/fanIn); the tied W is used twice, in and out, so it gets variance 1/h (WᵀW ≈ I):
    // at 1/d the first development run diverged (see mod.ts deviations).
    const w = (name: string, rows: number, cols: number, fanIn = cols): ParamSpec => ({
      name,
      shape: [rows, cols],
      init: "lecunNormal",
      fanIn,
      fanOut: rows,
    });
    const b = (name: string, n: number): ParamSpec => ({ name, shape: [n], init: "zeros", fanIn: n, fanOut: n });
    const params = this.kind === "dense"
      ? [w("w1", h, d), b("b1", h), w("w2", d, h), b("b2", d)]
      : this.kind === "tied"
      ? [w("w", h, d, h), b("b1", h), b("b2", d)]
      : [w("u1", h, r), w("v1", r, d), b("b1", h), w("u2", d, r), w("v2", r, h), b("b2", d)];
    return { outShape: [d], params };
  }

  bind(params: Param[]): void {
    this.#p = params;
  }

  forward(x: Arr, batch: number, ctx: Ctx): Arr {
    const d = this.#d, h = this.hidden, r = this.rank, g = ctx.gemm, P = this.#p, dt = ctx.dtype;
    const z = this.#z.get(batch * h, dt), a = this.#a.get(batch * h, dt), y = this.#y.get(batch * d, dt);
    const b1 = P.find((p) => p.name.endsWith("b1"))!.value, b2 = P.find((p) => p.name.endsWith("b2"))!.value;
    for (let i = 0; i < batch; i++) z.set(b1, i * h);
    if (this.kind === "lowrank") {
      const [u1, v1] = [P[0].value, P[1].value], t1 = this.#t1.get(batch * r, dt);
      g.gemm(false, true, batch, r, d, 1, x, d, v1, d, 0, t1, r); // T₁ = X·V₁ᵀ
      g.gemm(false, true, batch, h, r, 1, t1, r, u1, r, 1, z, h); // Z += T₁·U₁ᵀ
    } else g.gemm(false, true, batch, h, d, 1, x, d, P[0].value, d, 1, z, h); // Z += X·W₁ᵀ
    for (let i = 0; i < z.length; i++) a[i] = z[i] > 0 ? z[i] : 0;
    for (let i = 0; i < batch; i++) for (let j = 0; j < d; j++) y[i * d + j] = x[i * d + j] + b2[j];
    if (this.kind === "dense") g.gemm(false, true, batch, d, h, 1, a, h, P[2].value, h, 1, y, d); // + A·W₂ᵀ
    else if (this.kind === "tied") g.gemm(false, false, batch, d, h, 1, a, h, P[0].value, d, 1, y, d); // + A·W
    else {
      const [u2, v2] = [P[3].value, P[4].value], t2 = this.#t2.get(batch * r, dt);
      g.gemm(false, true, batch, r, h, 1, a, h, v2, h, 0, t2, r); // T₂ = A·V₂ᵀ
      g.gemm(false, true, batch, d, r, 1, t2, r, u2, r, 1, y, d); // + T₂·U₂ᵀ
    }
    this.#x = x;
    return y;
  }

  backward(dy: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    const d = this.#d, h = this.hidden, r = this.rank, g = ctx.gemm, P = this.#p, dt = ctx.dtype, x = this.#x!;
    const z = this.#z.get(batch * h, dt), a = this.#a.get(batch * h, dt), da = this.#da.get(batch * h, dt);
    const gb1 = P.find((p) => p.name.endsWith("b1"))!.grad, gb2 = P.find((p) => p.name.endsWith("b2"))!.grad;
    colSums(dy, batch, d, gb2);
    if (this.kind === "dense") {
      const [w2, gw2] = [P[2].value, P[2].grad];
      g.gemm(true, false, d, h, batch, 1, dy, d, a, h, 1, gw2, h); // ∂W₂ += dYᵀ·A
      g.gemm(false, false, batch, h, d, 1, dy, d, w2, h, 0, da, h); // dA = dY·W₂
    } else if (this.kind === "tied") {
      const [w, gw] = [P[0].value, P[0].grad];
      g.gemm(true, false, h, d, batch, 1, a, h, dy, d, 1, gw, d); // ∂W += Aᵀ·dY
      g.gemm(false, true, batch, h, d, 1, dy, d, w, d, 0, da, h); // dA = dY·Wᵀ
    } else {
      const [u2, gu2, v2, gv2] = [P[3].value, P[3].grad, P[4].value, P[4].grad];
      const t2 = this.#t2.get(batch * r, dt), dt2 = this.#dt.get(batch * r, dt);
      g.gemm(true, false, d, r, batch, 1, dy, d, t2, r, 1, gu2, r); // ∂U₂ += dYᵀ·T₂
      g.gemm(false, false, batch, r, d, 1, dy, d, u2, r, 0, dt2, r); // dT₂ = dY·U₂
      g.gemm(true, false, r, h, batch, 1, dt2, r, a, h, 1, gv2, h); // ∂V₂ += dT₂ᵀ·A
      g.gemm(false, false, batch, h, r, 1, dt2, r, v2, h, 0, da, h); // dA = dT₂·V₂
    }
    for (let i = 0; i < da.length; i++) if (!(z[i] > 0)) da[i] = 0; // dZ in place
    colSums(da, batch, h, gb1);
    const dx = needDx ? this.#dx.get(batch * d, dt) : null;
    if (dx) dx.set(dy.subarray(0, batch * d));
    if (this.kind === "lowrank") {
      const [u1, gu1, v1, gv1] = [P[0].value, P[0].grad, P[1].value, P[1].grad];
      const t1 = this.#t1.get(batch * r, dt), dt1 = this.#dt.get(batch * r, dt);
      g.gemm(true, false, h, r, batch, 1, da, h, t1, r, 1, gu1, r); // ∂U₁ += dZᵀ·T₁
      g.gemm(false, false, batch, r, h, 1, da, h, u1, r, 0, dt1, r); // dT₁ = dZ·U₁
      g.gemm(true, false, r, d, batch, 1, dt1, r, x, d, 1, gv1, d); // ∂V₁ += dT₁ᵀ·X
      if (dx) g.gemm(false, false, batch, d, r, 1, dt1, r, v1, d, 1, dx, d); // dX += dT₁·V₁
    } else {
      const [w1, gw1] = [P[0].value, P[0].grad];
      g.gemm(true, false, h, d, batch, 1, da, h, x, d, 1, gw1, d); // ∂W₁ += dZᵀ·X
      if (dx) g.gemm(false, false, batch, d, h, 1, da, h, w1, d, 1, dx, d); // dX += dZ·W₁
    }
    return dx;
  }
}
