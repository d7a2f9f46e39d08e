/**
 * pararnn: the hand-derived Jacobians of both cells against central differences of one step; both parallel
 * reductions against forward substitution (random blocks, lengths that are and are not powers of two or multiples of
 * the chunk) and their counted depth and work against the formulas; Newton's fixed point against the sequential
 * trajectory (and exactness of the first k steps after k iterations); Picard's; and one smoke point of every method
 * through runMethods.
 */
import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { runMethods } from "../../lib/testdata/run.ts";
import { type CellKind, drive, jacobian, jacSize, makeCell, sequential, stateSize, step } from "./cells.ts";
import { solveChunked, solveDoubling, solveSequential } from "./scan.ts";
import { newton, picard } from "./newton.ts";
import exp from "./mod.ts";

function setup(kind: CellKind, L: number, seed: number, aScale = 1) {
  const rng = Rng.fromSeed(seed);
  const cell = makeCell({ kind, n: 6, d: 4, heads: 2, aScale }, rng.split("cell"));
  const u = drive(cell, rng.split("x").normal(L * 4), L);
  return { cell, u };
}

for (const kind of ["gru", "lstm"] as const) {
  Deno.test(`${kind}: Jacobian ∂h_t/∂h_{t−1} equals central differences of one step`, () => {
    // aScale 3 makes every term of the Jacobian visibly non-zero
    const { cell, u } = setup(kind, 3, 1, 3);
    const S = stateSize(cell), n = cell.n, m = cell.m;
    const prev = Rng.fromSeed(2).normal(S).map((v) => 0.7 * v);
    const jac = new Float64Array(jacSize(cell));
    jacobian(cell, u, 1, prev, 0, jac, 0);
    const hstep = 1e-6, plus = new Float64Array(S), minus = new Float64Array(S);
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < n; j++) {
        const p = Float64Array.from(prev), q = Float64Array.from(prev);
        p[k * n + j] += hstep, q[k * n + j] -= hstep;
        step(cell, u, 1, p, 0, plus, 0);
        step(cell, u, 1, q, 0, minus, 0);
        for (let i = 0; i < m; i++) {
          for (let jj = 0; jj < n; jj++) {
            const fd = (plus[i * n + jj] - minus[i * n + jj]) / (2 * hstep);
            // diagonal structure: unit jj depends only on unit j = jj
            const an = jj === j ? jac[(i * m + k) * n + j] : 0;
            assertAlmostEquals(an, fd, 1e-8, `${kind} ∂h[${i},${jj}]/∂h_prev[${k},${j}]: ${an} vs ${fd}`);
          }
        }
      }
    }
  });
}

for (const m of [1, 2] as const) {
  Deno.test(`parallel reductions equal forward substitution (${m}×${m} blocks)`, () => {
    const rng = Rng.fromSeed(3 + m), n = 5;
    for (const L of [1, 2, 3, 7, 8, 64, 100, 257]) {
      const jac = rng.normal(L * m * m * n).map((v) => 0.6 * v);
      const rhs = rng.normal(L * m * n);
      jac.fill(0, 0, m * m * n); // J_0 is ignored by definition
      const ref = solveSequential(jac, rhs, L, { n, m });
      for (
        const [name, sol] of [
          ["doubling", solveDoubling(jac, rhs, L, { n, m })],
          ["chunked c=4", solveChunked(jac, rhs, L, { n, m }, 4)],
          ["chunked c=3", solveChunked(jac, rhs, L, { n, m }, 3)],
        ] as const
      ) {
        for (let i = 0; i < ref.x.length; i++) {
          assertAlmostEquals(sol.x[i], ref.x[i], 1e-12 * (1 + Math.abs(ref.x[i])), `${name} L=${L} entry ${i}`);
        }
      }
      // a brute-force check of forward substitution itself on the first unit (m = 1)
      if (m === 1) {
        let x = 0;
        for (let t = 0; t < L; t++) {
          x = (t ? jac[t * n] * x : 0) + rhs[t * n];
          assertAlmostEquals(ref.x[t * n], x, 1e-12 * (1 + Math.abs(x)));
        }
      }
    }
  });
}

Deno.test("depth and work of the reductions follow their formulas", () => {
  const n = 1, m = 1 as const;
  for (const L of [2, 5, 16, 1000, 4096]) {
    const jac = new Float64Array(L), rhs = new Float64Array(L);
    const d = solveDoubling(jac, rhs, L, { n, m });
    const rounds = Math.ceil(Math.log2(L));
    assertEquals(d.depth, rounds);
    let w = 0;
    for (let s = 1; s < L; s *= 2) w += L - s;
    assertEquals(d.work, w);
    const c = 4, chunks = Math.ceil(L / c), ch = solveChunked(jac, rhs, L, { n, m }, c);
    assertEquals(ch.depth, 2 * (Math.min(c, L) - 1) + Math.ceil(Math.log2(chunks)));
    assertEquals(solveSequential(jac, rhs, L, { n, m }).depth, L - 1);
  }
});

for (const kind of ["gru", "lstm"] as const) {
  Deno.test(`${kind}: Newton's fixed point is the sequential trajectory; first k steps exact after k iterations`, () => {
    const L = 300, { cell, u } = setup(kind, L, 7, 2);
    const ref = sequential(cell, u, L), S = stateSize(cell);
    for (const solver of ["doubling", "chunked", "sequential"] as const) {
      let exactPrefixOk = true;
      const out = newton(cell, u, L, { solver, chunk: 4, maxIters: 50, tol: 1e-13 }, (k, s) => {
        // after k updates the first k time steps equal the sequential ones up to rounding
        for (let i = 0; i < Math.min(k, L) * S; i++) {
          if (Math.abs(s.h[i] - ref[i]) > 1e-13) exactPrefixOk = false;
        }
      });
      assert(out.converged, `${kind}/${solver} did not converge in ${out.iters}`);
      assert(exactPrefixOk, `${kind}/${solver}: prefix not exact`);
      let err = 0;
      for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(out.h[i] - ref[i]));
      assert(err <= 1e-13, `${kind}/${solver}: max error ${err}`);
      assert(out.iters <= 10, `${kind}/${solver}: ${out.iters} iterations`);
    }
    const p = picard(cell, u, L, { maxIters: 2000, tol: 1e-13 });
    assert(p.converged, `${kind} Picard did not converge`);
    let err = 0;
    for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(p.h[i] - ref[i]));
    assert(err <= 1e-12, `${kind} Picard max error ${err}`);
  });
}

Deno.test("every method runs at a smoke point through the harness; the sequential method is the reference", async () => {
  for (const cell of ["gru", "lstm"]) {
    const r = await runMethods(exp, { cell, seqLength: 128 });
    assertEquals(r.sequential.final_err, 0);
    assertEquals(r.sequential.depth_speedup, 1);
    for (const m of ["newton", "newton_chunked", "picard"]) {
      assert((r[m].final_err as number) <= 1e-12, `${cell}/${m}: ${r[m].final_err}`);
      assert(Array.isArray(r[m].err), `${m} has an error series`);
    }
    assert((r.newton.iters as number) < (r.picard.iters as number), "Newton needs fewer iterations than Picard");
    assertEquals(r.newton.iters, r.newton_chunked.iters);
  }
});
