/** The n×n Sylvester–Hadamard matrix (entries ±1), built with lib/math/sketch's FWHT applied to the identity. */
import { eye, frobenius, type Linalg, type Mat } from "../../lib/math/linalg/mod.ts";
import { fwht } from "../../lib/math/sketch/mod.ts";
import { chain, type PalmState } from "./palm.ts";

type M = Mat<Float64Array>;

export function hadamard(n: number): M {
  const h = eye(n) as M;
  fwht(h.data, n, n); // transforms along rows of the n×n array: H·I = H
  return h;
}

/** ‖X − λ S_J⋯S_1‖_F / ‖X‖_F */
export function relError(la: Linalg, x: M, s: PalmState): number {
  const p = chain(la, s.factors, x.cols);
  let e = 0;
  for (let i = 0; i < p.data.length; i++) e += (x.data[i] - s.lambda * p.data[i]) ** 2;
  return Math.sqrt(e) / frobenius(x);
}

/** Nonzeros of each factor (|v| > tol·max|S|). */
export function nnz(s: M, tol = 1e-12): number {
  let mx = 0;
  for (const v of s.data) mx = Math.max(mx, Math.abs(v));
  let c = 0;
  for (const v of s.data) if (Math.abs(v) > tol * mx) c++;
  return c;
}

/** Largest number of nonzeros in any row or column of S. */
export function maxPerLine(s: M, tol = 1e-12): number {
  let mx = 0;
  for (const v of s.data) mx = Math.max(mx, Math.abs(v));
  const rows = new Array(s.rows).fill(0), cols = new Array(s.cols).fill(0);
  for (let i = 0; i < s.rows; i++) {
    for (let j = 0; j < s.cols; j++) {
      if (Math.abs(s.data[i * s.cols + j]) > tol * mx) {
        rows[i]++;
        cols[j]++;
      }
    }
  }
  return Math.max(...rows, ...cols);
}
