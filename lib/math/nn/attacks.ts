/**
 * Adversarial examples in the L∞ ball, for robustness papers: FGSM (Goodfellow, Shlens & Szegedy 2015) and PGD
 * (Madry et al. 2018), written against any model through a function that returns the loss and its gradient with
 * respect to the input batch. Inputs are clipped to the valid pixel box [lo, hi] (default [0, 1]).
 *
 *   FGSM: x' = clip(x + ε·sign(∇ₓL))
 *   PGD:  x⁰ = x (+ uniform start in the ε-ball), xᵗ⁺¹ = Π_{‖·−x‖∞≤ε, box}(xᵗ + α·sign(∇ₓL(xᵗ)))
 *
 * @example
 * ```ts
 * const grad = (x: Float64Array) => { const r = net.lossAndGrad(mat(n, 784, x), y); return { loss: r.loss, dx: r.dx.data }; };
 * const adv = pgd(x, grad, { eps: 0.1, alpha: 0.01, steps: 20, rng });
 * ```
 */
import type { Rng } from "../rng.ts";

/** The loss at inputs x and its gradient with respect to x (what an attack differentiates). */
export type InputGrad = (x: Float64Array) => { loss: number; dx: ArrayLike<number> };

/** The box inputs are clipped to (default [0, 1], pixels). */
export interface BoxOpts {
  lo?: number;
  hi?: number;
}

/** Fast gradient sign method: one step of size ε along sign(∇ₓL), clipped to the box. */
export function fgsm(x: Float64Array, grad: InputGrad, opts: { eps: number } & BoxOpts): Float64Array {
  const { dx } = grad(x);
  const lo = opts.lo ?? 0, hi = opts.hi ?? 1, out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(hi, Math.max(lo, x[i] + opts.eps * Math.sign(dx[i])));
  return out;
}

/** Projected gradient descent on the loss (ascent), `steps` signed steps of size α, projected onto the ε-ball. */
export function pgd(
  x: Float64Array,
  grad: InputGrad,
  opts: { eps: number; alpha: number; steps: number; rng?: Rng } & BoxOpts,
): Float64Array {
  const lo = opts.lo ?? 0, hi = opts.hi ?? 1, { eps } = opts;
  const proj = (v: number, i: number) => Math.min(hi, Math.max(lo, Math.min(x[i] + eps, Math.max(x[i] - eps, v))));
  const cur = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) cur[i] = proj(opts.rng ? x[i] + eps * (2 * opts.rng.uniform() - 1) : x[i], i);
  for (let t = 0; t < opts.steps; t++) {
    const { dx } = grad(cur);
    for (let i = 0; i < x.length; i++) cur[i] = proj(cur[i] + opts.alpha * Math.sign(dx[i]), i);
  }
  return cur;
}
