/**
 * Test products A = CR: Gaussian factors of full rank (C independent columns, R independent rows) or
 * rank-deficient factors (each a product through a thinner inner dimension), plus the SVD reference A⁺.
 */
import type { Linalg, Mat } from "../../lib/math/linalg/mod.ts";
import { randn } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { pinv, rank } from "./formulas.ts";

export interface Product {
  c: Mat<Float64Array>;
  r: Mat<Float64Array>;
  a: Mat<Float64Array>;
  /** A⁺ from the SVD of A (the reference every formula is compared with). */
  aPlus: Mat<Float64Array>;
  rankC: number;
  rankR: number;
  rankA: number;
}

export interface ProductSpec {
  m: number;
  n: number;
  /** Inner dimension: C is m×r, R is r×n. */
  r: number;
  factors: "full_rank" | "rank_deficient";
  /** rank_deficient: each factor loses this much rank (rank C = rank R = r − drop). */
  drop: number;
}

const g = (rows: number, cols: number, rng: Rng) => randn(rows, cols, rng) as Mat<Float64Array>;

/** Draw C and R (Gaussian entries) and form A = CR with its SVD pseudoinverse. */
export function makeProduct(la: Linalg, spec: ProductSpec, rng: Rng): Product {
  const { m, n, r } = spec;
  let c: Mat<Float64Array>, rr: Mat<Float64Array>;
  if (spec.factors === "full_rank") {
    c = g(m, r, rng.split("C"));
    rr = g(r, n, rng.split("R"));
  } else {
    const q = r - spec.drop;
    if (q < 1 || spec.drop < 1) throw new Error(`rank_deficient needs 1 ≤ drop < r (got drop=${spec.drop}, r=${r})`);
    c = la.matmul(g(m, q, rng.split("C1")), g(q, r, rng.split("C2")));
    rr = la.matmul(g(r, q, rng.split("R1")), g(q, n, rng.split("R2")));
  }
  const a = la.matmul(c, rr);
  return { c, r: rr, a, aPlus: pinv(la, a), rankC: rank(la, c), rankR: rank(la, rr), rankA: rank(la, a) };
}
