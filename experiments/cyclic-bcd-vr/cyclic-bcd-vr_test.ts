import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { assertCentralDifferences } from "../../lib/testdata/gradcheck.ts";
import { Rng } from "../../lib/math/rng.ts";
import {
  adam,
  cloneBlocks,
  type Examples,
  gradMapNorm,
  initNet,
  lossGrad,
  rbcd,
  type RunOpts,
  sgd,
  softThreshold,
  vrcd,
} from "./bcd.ts";

const SIZES = [6, 5, 4, 3];

function toySet(n: number, seed: number): Examples {
  const rng = Rng.fromSeed(seed);
  const x = rng.normal(n * SIZES[0]);
  const y = Uint8Array.from({ length: n }, () => Math.floor(rng.uniform() * 3));
  return { x, y, n, p: SIZES[0] };
}

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const opts = (o: Partial<RunOpts>): RunOpts => ({
  step: 0.1,
  batch: 4,
  budget: 200,
  lambda: 0,
  period: 3,
  checkpoints: 2,
  ...o,
});

Deno.test("lossGrad: every block's gradient matches central differences (float64)", () => {
  const d = toySet(7, 1), net = initNet(SIZES, Rng.fromSeed(2));
  for (const b of net.blocks) for (let k = 0; k < b.length; k++) b[k] += 0.1 * Math.sin(k); // nonzero biases
  const g = lossGrad(SIZES, net.blocks, d, all(7)).grad;
  for (let l = 0; l < net.blocks.length; l++) {
    assertCentralDifferences(() => lossGrad(SIZES, net.blocks, d, all(7), 0, false).loss, net.blocks[l], g[l].slice(), {
      label: `block ${l}`,
      tol: 1e-7,
    });
  }
});

Deno.test("lossGrad: backprop stopped at block j gives the same block-j gradient", () => {
  const d = toySet(9, 3), net = initNet(SIZES, Rng.fromSeed(4));
  const full = lossGrad(SIZES, net.blocks, d, all(9)).grad;
  for (let j = 0; j < 3; j++) {
    const part = lossGrad(SIZES, net.blocks, d, all(9), j).grad;
    for (let l = 0; l < 3; l++) assertEquals(part[l].length, l >= j ? full[l].length : 0);
    for (let k = 0; k < full[j].length; k++) assertAlmostEquals(part[j][k], full[j][k], 1e-15);
  }
});

Deno.test("VR-CD estimator equals the full block gradient when every batch is the whole set", () => {
  // With B = [n] the recursion g_k = g_{k−1} + ∇^j f(x_{k,j}) − ∇^j f(x_{k−1,j}) telescopes to ∇^j f(x_{k,j}):
  // VR-CD with full-set inner batches follows deterministic cyclic prox-BCD (a full gradient every cycle).
  const d = toySet(10, 5), net = initNet(SIZES, Rng.fromSeed(6));
  const snaps = (o: RunOpts) => {
    const out: Float64Array[][] = [];
    vrcd(net, d, { ...o, onBlock: (j, x) => j === 2 && out.push(cloneBlocks(x)) }, Rng.fromSeed(7));
    return out;
  };
  const vr = snaps(opts({ period: 4, fullBatch: true, budget: 120, lambda: 0.01 }));
  const det = snaps(opts({ period: 1, budget: 120, lambda: 0.01 }));
  assert(vr.length >= 6, `only ${vr.length} cycles`);
  let maxDiff = 0;
  for (let c = 0; c < 6; c++) {
    for (let l = 0; l < 3; l++) {
      for (let k = 0; k < det[c][l].length; k++) maxDiff = Math.max(maxDiff, Math.abs(vr[c][l][k] - det[c][l][k]));
    }
  }
  assert(maxDiff < 1e-12, `trajectories differ by ${maxDiff}`);
  // and it moved
  assert(Math.abs(det[5][0][0] - net.blocks[0][0]) > 1e-6);
});

Deno.test("block updates touch only their block (VR-CD cyclic order, randomized BCD)", () => {
  const d = toySet(12, 8), net = initNet(SIZES, Rng.fromSeed(9));
  for (const [name, run] of [["vrcd", vrcd], ["rbcd", rbcd]] as const) {
    let prev = cloneBlocks(net.blocks);
    const order: number[] = [];
    run(net, d, {
      ...opts({ lambda: 0.01, budget: 60 }),
      onBlock: (j, x) => {
        order.push(j);
        for (let l = 0; l < 3; l++) {
          const same = x[l].every((v, k) => v === prev[l][k]);
          if (l !== j) assert(same, `${name}: block ${l} changed during the update of block ${j}`);
        }
        prev = cloneBlocks(x);
      },
    }, Rng.fromSeed(10));
    assert(order.length >= 6, `${name}: ${order.length} updates`);
    if (name === "vrcd") order.forEach((j, i) => assertEquals(j, i % 3, "cyclic order"));
    else assert(new Set(order).size === 3, "randomized BCD draws every block");
  }
});

Deno.test("the prox of t·λ|·| is the soft-threshold (argmin on a fine grid), biases untouched", () => {
  const v = Float64Array.from([-2, -0.3, -0.05, 0, 0.04, 0.5, 3, 0.7]);
  const t = 0.1;
  const x = v.slice();
  softThreshold(x, t, 7);
  for (let k = 0; k < 7; k++) {
    let best = 0, bestF = Infinity;
    for (let z = -4; z <= 4; z += 1e-4) {
      const f = 0.5 * (z - v[k]) ** 2 + t * Math.abs(z);
      if (f < bestF) [bestF, best] = [f, z];
    }
    assertAlmostEquals(x[k], best, 1e-4, `prox(${v[k]})`);
  }
  assertEquals(x[7], 0.7, "bias left alone");
  assertEquals(x[2], 0);
});

Deno.test("gradient mapping with λ = 0 is ‖∇f‖; all optimizers spend their budget and lower the loss", () => {
  const d = toySet(20, 11), net = initNet(SIZES, Rng.fromSeed(12));
  const g = lossGrad(SIZES, net.blocks, d, all(20)).grad;
  const norm = Math.sqrt(g.reduce((s, b) => s + b.reduce((a, v) => a + v * v, 0), 0));
  assertAlmostEquals(gradMapNorm(SIZES, net.blocks, d, 0, 0.3), norm, 1e-12);
  const f0 = lossGrad(SIZES, net.blocks, d, all(20), 0, false).loss;
  for (const run of [vrcd, rbcd, sgd, adam]) {
    const o = opts({ budget: 400, step: run === adam ? 0.01 : 0.1 });
    const tr = run(net, d, o, Rng.fromSeed(13));
    assert(tr.evals >= o.budget && tr.evals < o.budget + 2 * o.batch + d.n, `${run.name}: ${tr.evals} evaluations`);
    assertEquals(tr.at.length, o.checkpoints + 1);
    const f = lossGrad(SIZES, tr.blocks, d, all(20), 0, false).loss;
    assert(f < f0, `${run.name}: loss ${f} ≥ start ${f0}`);
  }
});
