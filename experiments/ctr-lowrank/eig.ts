/** Symmetric eigendecomposition with eigenvalues in descending order (lib linalg `eigh`, columns reversed). */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { mat } from "../../lib/math/linalg/mat.ts";

export function eigSymDesc(s: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const { values, vectors } = getLinalg().eigh(mat(n, n, Float64Array.from(s)));
  const v = new Float64Array(n), U = new Float64Array(n * n);
  for (let t = 0; t < n; t++) {
    v[t] = values[n - 1 - t];
    for (let i = 0; i < n; i++) U[i * n + t] = vectors.data[i * n + (n - 1 - t)];
  }
  return { values: v, vectors: U };
}
