import { assert } from "../../lib/testdata/assert.ts";
import { getLinalg, type Mat, mat } from "../../lib/math/linalg/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import exp from "./mod.ts";
import { hadamard, maxPerLine, nnz, relError } from "./hadamard.ts";
import { chain, palm, projSparse, projSplincol } from "./palm.ts";

const la = getLinalg();
type M = Mat<Float64Array>;

Deno.test("hadamard(n) is symmetric with H·H = n·I", () => {
  const h = hadamard(16);
  const hh = la.matmul(h, h);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      assert(Math.abs(h.data[i * 16 + j]) === 1, "entries ±1");
      assert(hh.data[i * 16 + j] === (i === j ? 16 : 0), "H² = nI");
    }
  }
});

Deno.test("projSparse is the Euclidean projection on {‖A‖₀ ≤ k, ‖A‖_F = 1}", () => {
  const a = mat(2, 3, [3, -1, 0.5, -4, 2, 0]);
  const p = projSparse(2)(a);
  assert(Math.abs(p.data[0] - 0.6) < 1e-15 && Math.abs(p.data[3] + 0.8) < 1e-15, "keeps 3 and −4, normalized");
  assert(nnz(p) === 2, "2 nonzeros");
});

Deno.test("projSplincol keeps the union of row-wise and column-wise top-k", () => {
  // row tops (k=1): (0,0),(1,0); column tops: (0,0),(0,1) → union of 3 entries, (1,1) dropped
  const a = mat(2, 2, [5, 4, 3, 1]);
  const p = projSplincol(1)(a);
  assert(p.data[3] === 0 && p.data[0] > 0 && p.data[1] > 0 && p.data[2] > 0, "support {00,01,10}");
  assert(Math.abs(p.data.reduce((s, v) => s + v * v, 0) - 1) < 1e-14, "unit Frobenius norm");
});

Deno.test("PALM without sparsity (dense sets) decreases the error to the best rank-free fit", () => {
  // 2 dense factors, no real constraint: X = A·B is reachable; PALM must drive the error down monotonically-ish
  const rng = Rng.fromSeed(1);
  const n = 6;
  const x = mat(n, n, rng.normal(n * n));
  const dense = projSparse(n * n);
  const init = { factors: [mat(n, n, rng.normal(n * n)), mat(n, n, rng.normal(n * n))] as M[], lambda: 1 };
  const e0 = relError(la, x, init);
  const out = palm(la, x, init, [dense, dense], { nIter: 300 });
  const e1 = relError(la, x, out);
  assert(e1 < 1e-3 && e1 < e0, `PALM error ${e1} (start ${e0})`);
});

Deno.test("the butterfly factorization is a fixed point of global PALM (gradient zero at an exact product)", () => {
  // H_4 = (H_2 ⊗ I_2)(I_2 ⊗ H_2): 2 nonzeros per row/col each
  const s1 = mat(4, 4, [1, 1, 0, 0, 1, -1, 0, 0, 0, 0, 1, 1, 0, 0, 1, -1]);
  const s2 = mat(4, 4, [1, 0, 1, 0, 0, 1, 0, 1, 1, 0, -1, 0, 0, 1, 0, -1]);
  const x = hadamard(4);
  const p = chain(la, [s1, s2], 4);
  assert(p.data.every((v, i) => v === x.data[i]), "butterfly product = H_4");
  const norm = (m: M) => mat(4, 4, m.data.map((v) => v / Math.sqrt(8)));
  const out = palm(la, x, { factors: [norm(s1), norm(s2)], lambda: 8 }, [projSplincol(2), projSplincol(2)], {
    nIter: 10,
  });
  assert(relError(la, x, out) < 1e-14, "stays exact");
});

Deno.test("smoke pipeline: data → methods → measure gives finite metrics, exact for the default init", async () => {
  const cfg = exp.config.parse({ n: 16 });
  const x = exp.data(cfg, { seed: 0, rng: Rng.fromSeed(0).split("data") }) as M;
  for (const [name, m] of Object.entries(exp.methods)) {
    const levels: number[] = [];
    const ctx = {
      rng: Rng.fromSeed(0).split(name),
      backend: "native",
      observe: (step: number) => levels.push(step),
    } as unknown as Parameters<typeof m.run>[2];
    const out = await m.run(x, cfg, ctx);
    const r = await exp.measure(x, out as never, cfg);
    for (const v of Object.values(r)) assert(Number.isFinite(v as number), `${name}: finite metrics`);
    assert(levels.length === 3, `${name}: observed each of the 3 levels`);
    if (name === "hierarchical") {
      assert((r.rel_error as number) < 1e-10, `exact: ${r.rel_error}`);
      assert(maxPerLine((out as { factors: M[] }).factors[0]) === 2, "2 per line");
    }
  }
});
