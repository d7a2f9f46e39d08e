/**
 * Burer–Monteiro (factorized) helpers for symmetric sensing, X = U·Uᵀ with U n×r':
 * residuals, the chain rule through X = UUᵀ, ℓ2 and ℓ1 losses with their (sub)gradients, and error metrics.
 *
 * For any loss f(U) = g(A(UUᵀ)), ∇f(U) = (A*(w) + A*(w)ᵀ)·U with w = ∇g at the residual; with g = (1/2m)‖·−y‖²,
 * w = r/m; with g = (1/m)‖·−y‖₁, w = sign(r)/m (the sub-gradient with sign(0) = 0).
 *
 * @example
 * ```ts
 * const { loss, grad } = l2Loss(op, y, u);   // f(U) = (1/2m)‖A(UUᵀ) − y‖²
 * const next = axpy(u, grad, -eta);
 * ```
 */
import { axpy, frobDist, frobenius, gram, type M64, matmul, transpose } from "./dense.ts";
import type { SensingOperator } from "./sensing.ts";

/** r = A(UUᵀ) − y. */
export function residual(op: SensingOperator, y: ArrayLike<number>, u: M64): Float64Array {
  const r = op.apply(gram(u));
  for (let i = 0; i < r.length; i++) r[i] -= y[i];
  return r;
}

/** Chain rule through X = UUᵀ: (A*(w) + A*(w)ᵀ)·U. */
export function pullback(op: SensingOperator, w: ArrayLike<number>, u: M64): M64 {
  const s = op.adjoint(w);
  return matmul(axpy(s, transpose(s)), u);
}

type ResidualLoss = { loss: number; grad: M64; residual: Float64Array };

/** Σᵢ φ(rᵢ) / (c·m) and its (sub)gradient (S + Sᵀ)U with S = A*(φ′(r)/m), for the residual r = A(UUᵀ) − y. */
function residualLoss(
  op: SensingOperator,
  y: ArrayLike<number>,
  u: M64,
  phi: (r: number) => number,
  dphi: (r: number) => number,
  c: number,
): ResidualLoss {
  const r = residual(op, y, u), m = op.m;
  let loss = 0;
  for (let i = 0; i < m; i++) loss += phi(r[i]);
  return { loss: loss / (c * m), grad: pullback(op, r.map((v) => dphi(v) / m), u), residual: r };
}

/** f(U) = (1/2m)‖A(UUᵀ) − y‖² and ∇f(U) = (1/m)(S + Sᵀ)U, S = A*(A(UUᵀ) − y). */
export function l2Loss(op: SensingOperator, y: ArrayLike<number>, u: M64): ResidualLoss {
  return residualLoss(op, y, u, (v) => v * v, (v) => v, 2);
}

/** f(U) = (1/m)‖A(UUᵀ) − y‖₁ and a sub-gradient (1/m)(S + Sᵀ)U, S = A*(sign(A(UUᵀ) − y)). */
export function l1Loss(op: SensingOperator, y: ArrayLike<number>, u: M64): ResidualLoss {
  return residualLoss(op, y, u, Math.abs, Math.sign, 1);
}

/** ‖UUᵀ − X*‖_F. */
export function factorError(u: M64, xStar: M64): number {
  return frobDist(gram(u), xStar);
}

/** ‖UUᵀ − X*‖_F / ‖X*‖_F. */
export function relFactorError(u: M64, xStar: M64): number {
  return frobDist(gram(u), xStar) / frobenius(xStar);
}
