import { assert, assertAlmostEquals, assertOrthonormalColumns } from "../../testdata/assert.ts";
import { assertCentralDifferences } from "../../testdata/gradcheck.ts";
import { Rng } from "../rng.ts";
import type { Param } from "./params.ts";
import {
  dctBasis,
  gramError,
  onlinePcaGrad,
  projectionError,
  randomOrthogonal,
  selectColumns,
  SubspaceAdam,
  topLeftSingular,
} from "./subspace.ts";

const randn = (n: number, rng: Rng) => Float64Array.from(rng.normal(n));
const param = (name: string, shape: number[], rng: Rng): Param => {
  const size = shape[0] * shape[1];
  return { name, shape, offset: 0, size, value: randn(size, rng), grad: new Float64Array(size) };
};

Deno.test("subspace: the online-PCA gradient 2(RAᵀ + ĜRᵀQ) matches central differences", () => {
  const rng = Rng.fromSeed(1), d = 6, e = 9, r = 3;
  const q = randn(d * r, rng), g = randn(d * e, rng), grad = new Float64Array(d * r);
  onlinePcaGrad(q, g, d, e, r, grad);
  const loss = () => onlinePcaGrad(q, g, d, e, r, new Float64Array(d * r));
  assertCentralDifferences(loss, q, grad.slice(), { tol: 1e-7, label: "Q" });
});

Deno.test("subspace: SVD projector is orthonormal and captures the most energy; its PCA loss is 1 − captured", () => {
  const rng = Rng.fromSeed(2), d = 8, e = 20, r = 3, g = randn(d * e, rng);
  const q = topLeftSingular(g, d, e, r);
  assertOrthonormalColumns(q, d, r, 1e-12);
  const lossSvd = onlinePcaGrad(q, g, d, e, r, new Float64Array(d * r));
  const rand = topLeftSingular(randn(d * e, rng), d, e, r); // orthonormal, but of another matrix
  const lossRand = onlinePcaGrad(rand, g, d, e, r, new Float64Array(d * r));
  assert(lossSvd < lossRand && lossSvd > 0 && lossSvd < 1, `svd ${lossSvd} vs random ${lossRand}`);
  // At the SVD optimum the gradient vanishes (Q spans an invariant subspace of ĜĜᵀ).
  const grad = new Float64Array(d * r);
  onlinePcaGrad(q, g, d, e, r, grad);
  assert(Math.max(...grad.map(Math.abs)) < 1e-12, "stationary at the top singular subspace");
});

Deno.test("subspace: the identity projector (r = d, α = 1) reproduces plain Adam on both orientations", () => {
  for (const shape of [[5, 3], [3, 5]]) {
    const rng = Rng.fromSeed(3);
    const a = param("w", shape, rng.split("w")), b = { ...a, value: a.value.slice(), grad: a.grad };
    const opts = { lr: 0.05, rank: 1, gap: 3, scale: 1, schedule: (t: number) => 1 / (1 + t) };
    const oa = new SubspaceAdam([a], [], { ...opts, projector: "svd" });
    const ob = new SubspaceAdam([b], [b], { ...opts, projector: "identity" });
    for (let t = 0; t < 10; t++) {
      a.grad.set(randn(a.size, rng.split(t)));
      oa.step();
      ob.step();
    }
    for (let i = 0; i < a.size; i++) assertAlmostEquals(b.value[i], a.value[i], 1e-14, `shape ${shape} entry ${i}`);
  }
});

Deno.test("subspace: GaLore moves W only inside the projector's span; rank is capped at min(m, n)", () => {
  const rng = Rng.fromSeed(4), p = param("w", [4, 10], rng);
  const w0 = p.value.slice();
  const opt = new SubspaceAdam([p], [p], { lr: 0.1, rank: 2, gap: 100, scale: 0.25, projector: "svd" });
  p.grad.set(randn(p.size, rng));
  opt.step();
  const { q, d, r } = opt.projectors().get("w")!;
  assert(d === 4 && r === 2, `left projection of the 4 rows, rank 2 (got d ${d}, r ${r})`);
  // ΔW = Q N: (I − QQᵀ) ΔW = 0.
  for (let j = 0; j < 10; j++) {
    const col = Array.from({ length: 4 }, (_, i) => p.value[i * 10 + j] - w0[i * 10 + j]);
    for (let i = 0; i < 4; i++) {
      let proj = 0;
      for (let k = 0; k < r; k++) for (let l = 0; l < 4; l++) proj += q![i * r + k] * q![l * r + k] * col[l];
      assertAlmostEquals(col[i] - proj, 0, 1e-14, "update outside span");
    }
  }
  const big = new SubspaceAdam([p], [p], { lr: 0.1, rank: 99, gap: 1, scale: 1, projector: "svd" });
  p.grad.set(randn(p.size, rng));
  big.step();
  assert(big.projectors().get("w")!.r === 4, "rank capped");
});

Deno.test("subspace: OSD projector steps on a fixed gradient lower the online-PCA loss toward the SVD optimum", () => {
  const rng = Rng.fromSeed(5), p = param("w", [12, 6], rng), g = randn(72, rng);
  const opt = new SubspaceAdam([p], [p], { lr: 0, rank: 2, gap: 10, scale: 0.25, projector: "online" });
  p.grad.set(randn(72, rng)); // the first gradient seeds Q by SVD
  opt.step();
  const losses: number[] = [];
  for (let t = 0; t < 300; t++) {
    p.grad.set(g);
    opt.step();
    losses.push(opt.pcaLosses().get("w")!);
  }
  const gs = new Float64Array(72); // the columns are projected: G_s = Gᵀ (6×12)
  for (let i = 0; i < 12; i++) for (let j = 0; j < 6; j++) gs[j * 12 + i] = g[i * 6 + j];
  const best = onlinePcaGrad(topLeftSingular(gs, 6, 12, 2), gs, 6, 12, 2, new Float64Array(12));
  assert(losses[299] < losses[0] && losses[299] < best + 0.02, `loss ${losses[0]} → ${losses[299]} (SVD ${best})`);
  assert(gramError(opt.projectors().get("w")!.q!, 6, 2) < 0.2, "stays near orthonormal");
});

Deno.test("subspace: the DCT basis is orthogonal and equals the DCT-II of the identity (d = 1, 5, 16)", () => {
  for (const d of [1, 5, 16]) {
    const b = dctBasis(d);
    assertOrthonormalColumns(b, d, d, 1e-13);
    // Row i is the i-th orthonormal DCT-II basis function: B x = DCT-II(x) for x = e_j.
    for (let j = 0; j < d; j++) {
      for (let i = 0; i < d; i++) {
        const w = i === 0 ? Math.sqrt(1 / d) : Math.sqrt(2 / d);
        assertAlmostEquals(b[i * d + j], w * Math.cos((Math.PI * i * (j + 0.5)) / d), 1e-14);
      }
    }
  }
  assertOrthonormalColumns(randomOrthogonal(7, Rng.fromSeed(1)), 7, 7, 1e-12);
});

Deno.test("subspace: column selection picks the basis columns a constructed gradient is built from", () => {
  const d = 12, e = 30, rng = Rng.fromSeed(6), b = dctBasis(d), picked = [7, 2, 10];
  // G = Σ_k c_k B[:, picked_k] x_kᵀ with decreasing weights: Bᵀ G is nonzero only on rows 7, 2, 10.
  const g = new Float64Array(d * e);
  picked.forEach((col, k) => {
    const x = randn(e, rng);
    for (let i = 0; i < d; i++) for (let j = 0; j < e; j++) g[i * e + j] += (10 - 3 * k) * b[i * d + col] * x[j];
  });
  const { q, idx } = selectColumns(b, g, d, e, 3);
  assert(idx.join() === picked.join(), `selected ${idx} (want ${picked}, largest ℓ1 first)`);
  assertOrthonormalColumns(q, d, 3, 1e-13);
  assert(projectionError(q, g, d, e, 3) < 1e-12, "exact for a gradient in the span");
  const two = selectColumns(b, g, d, e, 2);
  assert(projectionError(two.q, g, d, e, 2) > 0.1, "a missing column leaves a residual");
  // The SVD projector is optimal: no column selection beats it on a generic gradient.
  const h = randn(d * e, rng), r = 4;
  const svd = projectionError(topLeftSingular(h, d, e, r), h, d, e, r);
  const dct = projectionError(selectColumns(b, h, d, e, r).q, h, d, e, r);
  assert(svd <= dct + 1e-12 && dct < 1, `svd ${svd} ≤ dct ${dct}`);
});

Deno.test("subspace: DCT / random projectors refresh every gap steps and move W only inside the selected span", () => {
  for (const projector of ["dct", "random"] as const) {
    const rng = Rng.fromSeed(7), p = param("w", [9, 5], rng), w0 = p.value.slice();
    const opt = new SubspaceAdam([p], [p], { lr: 0.1, rank: 2, gap: 3, scale: 0.25, projector });
    p.grad.set(randn(p.size, rng));
    opt.step();
    const { q, d, r } = opt.projectors().get("w")!;
    assert(d === 5 && r === 2, `columns projected (d ${d}, r ${r})`);
    assertOrthonormalColumns(q!, d, r, 1e-12);
    // ΔW = (Q N)ᵀ: each row of ΔW lies in span(Q).
    for (let i = 0; i < 9; i++) {
      const row = Array.from({ length: 5 }, (_, j) => p.value[i * 5 + j] - w0[i * 5 + j]);
      for (let j = 0; j < 5; j++) {
        let proj = 0;
        for (let k = 0; k < r; k++) for (let l = 0; l < 5; l++) proj += q![j * r + k] * q![l * r + k] * row[l];
        assertAlmostEquals(row[j] - proj, 0, 1e-14, `${projector}: update outside span`);
      }
    }
    for (let t = 1; t < 7; t++) {
      p.grad.set(randn(p.size, rng));
      opt.step();
    }
    assert(opt.refreshMs.length === 3, `${projector}: refreshes at steps 0, 3, 6 (got ${opt.refreshMs.length})`);
  }
});
