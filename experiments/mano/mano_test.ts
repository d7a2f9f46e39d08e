import { assert } from "../../lib/testdata/assert.ts";
import { defaultDevice, init } from "@jax-js/jax";
import exp from "./mod.ts";
import { ResultSet } from "../../lib/claims/results.ts";
import { Rng } from "../../lib/math/rng.ts";
import {
  agreeScore,
  atc,
  atcThreshold,
  confScore,
  dispersion,
  entropyScore,
  mano,
  manoCriterion,
  negEntropy,
  nuclear,
  scaledPNorm,
  softmax,
  softrun,
  symEigvals,
} from "./scores.ts";
import { capacitatedAssignmentCost, cotAccuracy, labelCounts } from "./cot.ts";
import { corruptAll, CORRUPTIONS } from "./shifts.ts";
import { predict, trainMlp } from "./mlp.ts";
import { buildMnist } from "../../datasets/mnist.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const close = (a: number, b: number, tol: number, what: string) =>
  assert(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tol ${tol})`);
const jaxOpts = { sanitizeOps: false, sanitizeResources: false };

function randLogits(n: number, K: number, scale: number, seed: number): Float32Array {
  const r = Rng.fromSeed(seed);
  return Float32Array.from(r.normal(n * K), (v) => v * scale);
}

// ------------------------------------------------------------------------------------------------ MaNo

Deno.test("mano: criterion Φ equals the uniform cross-entropy −(1/NK) ΣΣ log softmax", () => {
  const K = 10, z = randLogits(50, K, 3, 1), P = softmax(z, K);
  let ref = 0;
  for (const p of P) ref -= Math.log(p);
  close(manoCriterion(z, K), ref / P.length, 1e-12, "Φ");
  close(manoCriterion(new Float32Array(3 * K), K), Math.log(K), 1e-12, "Φ of zero logits = log K");
});

Deno.test("mano: Taylor softrun by hand, rows in the simplex, p-norm of one-hot rows", () => {
  // θ = (0, 1, −1): v = 1+θ+θ²/2 = (1, 2.5, 0.5); minus min 0.5 → (0.5, 2, 0); L1-normalise → (0.2, 0.8, 0).
  const t = softrun([0, 1, -1], 3, false, 2);
  close(t[0], 0.2, 1e-12, "t0");
  close(t[1], 0.8, 1e-12, "t1");
  close(t[2], 0, 1e-12, "t2");
  const z = randLogits(20, 10, 2, 2);
  for (const useSm of [true, false]) {
    const P = softrun(z, 10, useSm);
    for (let i = 0; i < 20; i++) {
      let s = 0;
      for (let k = 0; k < 10; k++) (s += P[i * 10 + k]), assert(P[i * 10 + k] >= 0, "nonneg");
      close(s, 1, 1e-12, "row sum");
    }
  }
  // One-hot rows: ‖P‖_4 / (NK)^{1/4} = (N / NK)^{1/4} = K^{-1/4}; uniform rows give 1/K.
  const onehot = new Float64Array(40).map((_, i) => (i % 10 === (i / 10 | 0) ? 1 : 0));
  close(scaledPNorm(onehot, 4), 10 ** -0.25, 1e-12, "one-hot");
  close(scaledPNorm(new Float64Array(40).fill(0.1), 4), 0.1, 1e-12, "uniform");
});

Deno.test("mano: the switch follows Φ vs η; more confident logits score higher", () => {
  const z = randLogits(100, 10, 4, 3);
  const o = { p: 4, eta: 5, taylorOrder: 2 };
  close(mano(z, 10, 6, o), scaledPNorm(softmax(z, 10), 4), 1e-12, "Φ > η → softmax");
  close(mano(z, 10, 4, o), scaledPNorm(softrun(z, 10, false), 4), 1e-12, "Φ ≤ η → Taylor");
  const zHot = z.map((v) => 3 * v);
  assert(mano(zHot, 10, 6, o) > mano(z, 10, 6, o), "sharper softmax → larger norm");
});

// ------------------------------------------------------------------------------------------- baselines

Deno.test("baselines: confidence, entropy, agreement on exact small cases", () => {
  const big = 50;
  const sure = new Float32Array([big, 0, 0, 0, big, 0]); // two confident rows, K = 3
  close(confScore(sure, 3), 1, 1e-12, "AC of confident rows");
  close(entropyScore(sure, 3), 1, 1e-12, "entropy score of confident rows");
  close(confScore(new Float32Array(6), 3), 1 / 3, 1e-12, "AC of uniform rows");
  close(entropyScore(new Float32Array(6), 3), 0, 1e-12, "entropy score of uniform rows");
  close(agreeScore(sure, new Float32Array([big, 0, 0, 0, 0, big]), 3), 0.5, 0, "agreement");
});

Deno.test("baselines: ATC threshold reproduces validation accuracy on validation", () => {
  const z = randLogits(1000, 10, 2, 4), ne = negEntropy(z, 10);
  for (const acc of [0.3, 0.75, 0.95]) {
    const t = atcThreshold(ne, acc);
    close(atc(z, 10, t), acc, 1.5e-3, `ATC on val at acc ${acc}`);
  }
});

Deno.test("baselines: nuclear norm via eigenvalues of PᵀP matches exact cases", () => {
  // Jacobi eigenvalues of a known symmetric matrix: [[2,1],[1,2]] → {1, 3}.
  const ev = Array.from(symEigvals(new Float64Array([2, 1, 1, 2]), 2)).sort();
  close(ev[0], 1, 1e-12, "λ1");
  close(ev[1], 3, 1e-12, "λ2");
  // N = K confident one-hot rows on distinct classes: ‖P‖_* = N → score 1.
  const K = 4, z = new Float32Array(K * K).map((_, i) => (i % K === (i / K | 0) ? 60 : 0));
  close(nuclear(z, K), 1, 1e-9, "identity");
  // Identical rows: rank one, ‖P‖_* = ‖P‖_F = √N ‖p‖₂.
  const row = [1, 0.5, -1, 2], n = 7, zr = new Float32Array(Array.from({ length: n }, () => row).flat());
  const p = softmax(row, 4), pn = Math.sqrt(p.reduce((s, v) => s + v * v, 0));
  // Zero eigenvalues of the Gram matrix come out at ~1e-17, whose square roots add ~1e-8.
  close(nuclear(zr, 4), (Math.sqrt(n) * pn) / Math.sqrt(n * 4), 1e-7, "rank one");
});

Deno.test("baselines: dispersion from class sums equals the direct feature formula", () => {
  const r = Rng.fromSeed(5), n = 60, H = 7, K = 4;
  const feats = r.normal(n * H), lab = Int32Array.from({ length: n }, () => r.int(K));
  const sums = new Float64Array(K * H), counts = new Int32Array(K);
  for (let i = 0; i < n; i++) {
    counts[lab[i]]++;
    for (let h = 0; h < H; h++) sums[lab[i] * H + h] += feats[i * H + h];
  }
  const mu = new Float64Array(H);
  for (let i = 0; i < n; i++) for (let h = 0; h < H; h++) mu[h] += feats[i * H + h] / n;
  let extra = 0;
  for (let k = 0; k < K; k++) {
    for (let h = 0; h < H; h++) extra += counts[k] * (sums[k * H + h] / counts[k] - mu[h]) ** 2;
  }
  close(dispersion(sums, counts, H), Math.log(extra / (K - 1)), 1e-10, "dispersion");
});

Deno.test("cot: capacitated assignment equals brute force on random small problems", () => {
  const r = Rng.fromSeed(6);
  for (let trial = 0; trial < 40; trial++) {
    const n = 6, K = 3, cost = Float64Array.from({ length: n * K }, () => r.uniform());
    const caps = labelCounts(
      [r.uniform() + 0.1, r.uniform() + 0.1, r.uniform() + 0.1].map((v, _, a) => v / a.reduce((s, x) => s + x)),
      n,
    );
    let best = Infinity;
    const rec = (i: number, load: number[], acc: number) => {
      if (i === n) return void (best = Math.min(best, acc));
      for (let k = 0; k < K; k++) {
        if (load[k] >= caps[k]) continue;
        load[k]++;
        rec(i + 1, load, acc + cost[i * K + k]);
        load[k]--;
      }
    };
    rec(0, [0, 0, 0], 0);
    close(capacitatedAssignmentCost(cost, K, caps), best, 1e-12, `trial ${trial}`);
  }
  // Confident, correctly balanced predictions cost nothing: COT accuracy 1.
  const P = new Float64Array([1, 0, 0, 1, 1, 0, 0, 1]);
  close(cotAccuracy(P, 2, [0.5, 0.5]), 1, 1e-12, "perfect");
  // All mass on class 0 while the source is balanced: half must move at cost 1.
  close(cotAccuracy(new Float64Array([1, 0, 1, 0, 1, 0, 1, 0]), 2, [0.5, 0.5]), 0.5, 1e-12, "label shift");
});

// ----------------------------------------------------------------------------------------- shifts, MLP

Deno.test("shifts: every corruption keeps [0,1] and hurts more as severity grows (mean over digits)", () => {
  const d = buildMnist(40), rng = Rng.fromSeed(7);
  for (const name of Object.keys(CORRUPTIONS)) {
    let prev = -1;
    for (const sev of [1, 3, 5]) {
      const x = corruptAll(d.images, name, sev, rng.split(`${name}${sev}`));
      let dist = 0;
      for (let i = 0; i < x.length; i++) {
        assert(x[i] >= 0 && x[i] <= 1, `${name} out of range`);
        dist += (x[i] - d.images[i]) ** 2;
      }
      assert(dist > prev, `${name}: severity ${sev} not further from the clean digits than the previous`);
      prev = dist;
    }
  }
});

Deno.test({
  name: "mlp: training lowers the loss and jax logits match a float64 forward pass",
  ...jaxOpts,
  fn: async () => {
    await init();
    defaultDevice("wasm");
    const d = buildMnist(600), rng = Rng.fromSeed(8);
    const { weights: w, losses } = await trainMlp(
      d.images,
      d.labels,
      { hidden: 32, steps: 60, batch: 50, lr: 0.05, momentum: 0.9 },
      rng.jaxKey(),
      () => rng.permutation(600),
    );
    assert(losses[0] > 2 && losses[losses.length - 1] < 0.8 * losses[0], `loss ${losses}`);
    const x = d.images.slice(0, 5 * 784), { logits } = await predict(w, x);
    for (let i = 0; i < 5; i++) {
      const h = new Float64Array(32);
      for (let j = 0; j < 32; j++) {
        let s = w.b1[j];
        for (let p = 0; p < 784; p++) s += x[i * 784 + p] * w.w1[p * 32 + j];
        h[j] = Math.max(0, s);
      }
      for (let k = 0; k < 10; k++) {
        let s = w.b2[k];
        for (let j = 0; j < 32; j++) s += h[j] * w.w2[j * 10 + k];
        close(logits[i * 10 + k], s, 1e-3 * (1 + Math.abs(s)), `logit ${i},${k}`);
      }
    }
  },
});

// ------------------------------------------------------------------------------------ smoke pipeline

Deno.test({
  name: "pipeline: smoke-scale data → every method → finite measures",
  ...jaxOpts,
  fn: async () => {
    await init();
    defaultDevice("wasm");
    const cfg = exp.config.parse({ ...exp.scales.smoke.set, steps: 120 });
    const data = await exp.data(cfg, { seed: 0, rng: Rng.fromSeed(0).split("data") });
    assert(data.sets.length === 15, "15 shifted sets");
    // runMethods runs each method as the runner does and checks that every metric is declared and finite.
    const byMethod = await runMethods(exp, cfg, { backend: "wasm" });
    for (const [name, meas] of Object.entries(byMethod)) {
      assert((meas.r2 as number) >= 0 && (meas.r2 as number) <= 1, `${name} r2 in [0,1]`);
    }
  },
});

// ------------------------------------------------------------------------------------ claims

Deno.test("claims: a tie with the best baseline is not 'best'; a clear lead is; softrun non-inferiority", () => {
  const methods = Object.keys(exp.methods);
  const fake = (r2: (m: string, seed: number) => number) =>
    new ResultSet(methods.flatMap((method) =>
      [0, 1, 2].flatMap((seed) =>
        ["r2", "spearman"].map((metric) => ({
          run_id: `${method}-${seed}`,
          method,
          backend: "wasm",
          seed,
          config: {},
          metric,
          step: null,
          value: r2(method, seed),
        }))
      )
    ));
  const claim = (id: string) => exp.claims.find((c) => c.id === id)!;
  const tie = fake((m, s) => (m === "mano" || m === "cot" ? 0.8 : 0.5) + 0.01 * s);
  assert(!claim("mano-best-r2").check(tie).pass, "tie with COT must fail");
  assert(claim("mano-beats-nuclear").check(tie).pass, "0.8 vs 0.5 beats nuclear");
  assert(claim("softrun-not-worse").check(tie).pass, "softrun above both fixed normalisations");
  const taylorBetter = fake((m, s) => (m === "mano_taylor" ? 0.85 : m === "mano" ? 0.8 : 0.5) + 0.01 * s);
  assert(!claim("softrun-not-worse").check(taylorBetter).pass, "Taylor-only 0.05 above softrun must fail");
  const lead = fake((m, s) => (m === "mano" ? 0.9 : m.startsWith("mano_") ? 0.9 : 0.6) + 0.01 * s);
  assert(claim("mano-best-r2").check(lead).pass, "clear lead");
  assert(claim("softrun-not-worse").check(lead).pass, "exact tie with fixed normalisations is non-inferior");
});
