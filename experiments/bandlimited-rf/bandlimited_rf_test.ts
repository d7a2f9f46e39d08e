import assert from "node:assert";
import { Rng } from "../../lib/math/rng.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";
import { bandlimitedInit, fitRandomNet, lossGrad, maxHiddenWeight, type Net, predict, trainNet } from "./net.ts";
import { makeProblem, relRmse, sample } from "./targets.ts";

const close = (a: number, b: number, tol: number, msg: string) =>
  assert(Math.abs(a - b) <= tol, `${msg}: ${a} vs ${b} (tol ${tol})`);

Deno.test("lossGrad matches central finite differences (float64)", () => {
  const s = sample("sin2d", 2, 40, Rng.fromSeed(1));
  const rng = Rng.fromSeed(2);
  const hid = bandlimitedInit(7, 2, 3, rng);
  const net: Net = { ...hid, c: rng.normal(7), width: 7, d: 2 };
  const g = lossGrad(net, s);
  const h = 1e-6;
  for (const [name, p, gp] of [["a", net.a, g.ga], ["b", net.b, g.gb], ["c", net.c, g.gc]] as const) {
    for (let i = 0; i < p.length; i++) {
      const v = p[i];
      p[i] = v + h;
      const lp = lossGrad(net, s).loss;
      p[i] = v - h;
      const lm = lossGrad(net, s).loss;
      p[i] = v;
      close(gp[i], (lp - lm) / (2 * h), 1e-7, `∂L/∂${name}[${i}]`);
    }
  }
});

Deno.test("random net: weights stay in the band and lstsq recovers an exactly representable target", () => {
  const n = 200, N = 30, lambda = 2;
  const s = sample("sin1d", 1, n, Rng.fromSeed(3));
  const hid = bandlimitedInit(N, 1, lambda, Rng.fromSeed(4));
  const cTrue = Rng.fromSeed(5).normal(N);
  const truth: Net = { ...hid, c: cTrue, width: N, d: 1 };
  const y = predict(truth, s);
  const net = fitRandomNet({ ...s, y }, N, lambda, Rng.fromSeed(4));
  assert(maxHiddenWeight(net) <= lambda && net.b.every((b) => Math.abs(b) <= lambda));
  assert(relRmse(predict(net, s), y) < 1e-6, "least squares should interpolate a target in the span");
});

Deno.test("random net: bounded band has a floor on a high-frequency target, a wide band does not", () => {
  const p = makeProblem("sin1d", 8, 400, 400, Rng.fromSeed(6));
  const err = (lambda: number) =>
    relRmse(predict(fitRandomNet(p.train, 200, lambda, Rng.fromSeed(7)), p.test), p.test.y);
  assert(err(0.5) > 0.5, `λ = 0.5 should not fit sin(8πx): ${err(0.5)}`);
  assert(err(8) < 1e-3, `λ = 8 should fit sin(8πx): ${err(8)}`);
});

Deno.test("trained net: Adam lowers the loss on an easy target", () => {
  const p = makeProblem("sin1d", 1, 100, 100, Rng.fromSeed(8));
  const rng = Rng.fromSeed(9);
  const net0 = trainNet(p.train, 10, 1, rng, { epochs: 1, lr: 0.01 });
  const net = trainNet(p.train, 10, 1, rng, { epochs: 500, lr: 0.01 });
  const l0 = lossGrad(net0, p.train).loss, l1 = lossGrad(net, p.train).loss;
  assert(l1 < 0.05 * l0, `loss ${l0} → ${l1}`);
});

Deno.test("relRmse: the mean predictor scores 1, the truth 0", () => {
  const y = [1, 2, 3, 6];
  close(relRmse([3, 3, 3, 3], y), 1, 1e-12, "mean");
  close(relRmse(y, y), 0, 0, "truth");
});

Deno.test("smoke pipeline: data → methods → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  const byMethod = await runMethods(exp, { freq: 8, lambda: 1, hidden: 50 });
  assert(Object.keys(byMethod).length > 0, "some method runs at this point");
});

Deno.test("minNormLstsq equals LAPACK gelsd's minimum-norm solution, also on a rank-deficient system", async () => {
  const { getLinalg, mat } = await import("../../lib/math/linalg/mod.ts");
  const { minNormLstsq } = await import("./net.ts");
  const la = getLinalg(), rng = Rng.fromSeed(11);
  const n = 40, N = 12;
  // rank 6: the last 6 columns repeat the first 6
  const h = new Float64Array(n * N), base = rng.normal(n * 6), y = rng.normal(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < N; j++) h[i * N + j] = base[i * 6 + (j % 6)];
  const ref = la.lstsq(mat(n, N, h), mat(n, 1, y)).data;
  const { c, rank, cond } = minNormLstsq(h, n, N, y, la);
  assert(rank === 6, `rank ${rank}`);
  assert(Number.isFinite(cond) && cond >= 1);
  for (let j = 0; j < N; j++) close(c[j], ref[j], 1e-10, `c[${j}]`);
  // minimum norm: duplicated columns share the weight equally
  for (let j = 0; j < 6; j++) close(c[j], c[j + 6], 1e-10, `c[${j}] = c[${j + 6}]`);
});
