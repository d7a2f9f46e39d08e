/** Tiny training runs whose loss must fall, initialiser statistics, and the trainer's early stopping. */
import { assertAlmostEquals, assertEquals } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import {
  Adam,
  Conv2d,
  cosine,
  Dense,
  Flatten,
  initialise,
  MaxPool2d,
  mlp,
  ReLU,
  Sequential,
  SGD,
  train,
} from "./mod.ts";

/** Two Gaussian blobs in 8-D per class, 4 classes. */
function blobs(n: number, rng: Rng): { x: Float64Array; y: Int32Array } {
  const centres = rng.normal(4 * 8), x = new Float64Array(n * 8), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 4;
    for (let j = 0; j < 8; j++) x[i * 8 + j] = 2 * centres[y[i] * 8 + j] + 0.5 * rng.normal();
  }
  return { x, y };
}

Deno.test("nn train: an MLP's loss falls and it fits separable blobs (SGD momentum, cosine schedule)", () => {
  const { x, y } = blobs(256, Rng.fromSeed(1));
  const net = mlp([8, 16, 4], { rng: Rng.fromSeed(2) });
  const before = net.loss(x, y, 256);
  const r = train({
    model: net,
    optimizer: new SGD({ lr: cosine(0.1, 10 * 8), momentum: 0.9 }),
    x,
    y,
    n: 256,
    batchSize: 32,
    epochs: 10,
    rng: Rng.fromSeed(3),
  });
  assertEquals(r.steps, 80);
  const after = net.loss(x, y, 256);
  if (!(after < 0.2 * before)) throw new Error(`loss ${before} → ${after} did not fall fivefold`);
  if (net.accuracy(x, y, 256) < 0.95) throw new Error("MLP did not fit the blobs");
  if (!(r.epochs.at(-1)!.trainLoss < r.epochs[0].trainLoss)) throw new Error("epoch losses did not fall");
});

Deno.test("nn train: a small CNN learns which half of the image is bright (Adam, float32)", () => {
  const rng = Rng.fromSeed(4), n = 128, x = new Float32Array(n * 64), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let p = 0; p < 64; p++) x[i * 64 + p] = 0.5 * rng.normal() + ((p < 32) === (y[i] === 0) ? 1 : 0);
  }
  const net = new Sequential(
    [new Conv2d(4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Dense(2)],
    [1, 8, 8],
    { dtype: "float32", rng: Rng.fromSeed(5) },
  );
  const before = net.loss(x, y, n);
  train({ model: net, optimizer: new Adam({ lr: 0.01 }), x, y, n, batchSize: 16, epochs: 5, rng: rng.split("s") });
  const after = net.loss(x, y, n);
  if (!(after < 0.3 * before)) throw new Error(`loss ${before} → ${after}`);
});

Deno.test("nn train: MSE regression of a linear map", () => {
  const rng = Rng.fromSeed(6), n = 200, x = rng.normal(n * 3), t = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    t[2 * i] = x[3 * i] - 2 * x[3 * i + 1];
    t[2 * i + 1] = 0.5 * x[3 * i + 2] + 1;
  }
  const net = new Sequential([new Dense(2)], [3], { rng: Rng.fromSeed(7) });
  train({ model: net, optimizer: new SGD({ lr: 0.1 }), x, y: t, n, batchSize: 20, epochs: 30, loss: "mse" });
  if (net.loss(x, t, n, "mse") > 1e-6) throw new Error("linear regression did not converge");
  assertAlmostEquals(net.store.get("0.w").value[2 * 1 + 0], -2, 1e-3);
});

Deno.test("nn train: early stopping stops after `patience` flat epochs and restores the best weights", () => {
  const { x, y } = blobs(64, Rng.fromSeed(8));
  const net = mlp([8, 4], { rng: Rng.fromSeed(9) });
  const metrics = [3, 2, 2.5, 2.2, 2.1, 1];
  let snapshot: Float64Array | null = null;
  const r = train({
    model: net,
    optimizer: new SGD({ lr: 0.05 }),
    x,
    y,
    n: 64,
    batchSize: 16,
    epochs: 6,
    evaluate: (e) => {
      if (e === 1) snapshot = Float64Array.from(net.store.value);
      return metrics[e];
    },
    earlyStopping: { patience: 3 },
  });
  assertEquals(r.stoppedEarly, true);
  assertEquals(r.epochs.length, 5);
  assertEquals(r.bestEpoch, 1);
  assertEquals(Array.from(net.store.value), Array.from(snapshot!));
});

Deno.test("nn init: He and Glorot scales, seeded and precision-independent", () => {
  const a = new Float64Array(20000), b = new Float32Array(20000);
  initialise(a, "heNormal", 100, 50, Rng.fromSeed(1));
  initialise(b, "heNormal", 100, 50, Rng.fromSeed(1));
  const sd = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, t) => s + t * t, 0) / v.length);
  assertAlmostEquals(sd(a), Math.sqrt(2 / 100), 0.002);
  for (let i = 0; i < 10; i++) assertAlmostEquals(b[i], a[i], 1e-6);
  initialise(a, "glorotUniform", 100, 50, Rng.fromSeed(2));
  const lim = Math.sqrt(6 / 150);
  if (Math.max(...a) > lim || Math.min(...a) < -lim) throw new Error("glorotUniform outside its limit");
  assertAlmostEquals(sd(a), Math.sqrt(2 / 150), 0.002);
  // Same seed → same network; the tree names follow layer index and parameter name.
  const n1 = mlp([4, 3, 2], { rng: Rng.fromSeed(3) }), n2 = mlp([4, 3, 2], { rng: Rng.fromSeed(3) });
  assertEquals(Array.from(n1.store.value), Array.from(n2.store.value));
  assertEquals(Object.keys(n1.params()), ["0", "2"]);
  assertEquals(n1.paramList().map((p) => p.name), ["0.w", "0.b", "2.w", "2.b"]);
});
