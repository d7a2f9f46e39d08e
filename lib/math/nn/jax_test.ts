/**
 * The kit's hand-written backward passes against jax-js autodiff (@jax-js/jax 0.1.25 on wasm, float64): a dense
 * ReLU net and a conv → ReLU → avg-pool → dense net, loss and every parameter gradient, on small shapes.
 *
 * Under MSE the comparison is tight (1e-10): only products, sums and max are involved. Under cross-entropy it is
 * 1e-6, because jax-js's float64 exp and log on wasm are approximations good to about 1e-8 (measured: exp(1) off by
 * 8e-8), not because of our backward pass.
 */
import { defaultDevice, init, lax, nn, numpy as np, valueAndGrad } from "@jax-js/jax";
import { assertAlmostEquals } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import { AvgPool2d, Conv2d, Dense, Flatten, MaxPool2d, ReLU, Sequential, Tanh } from "./mod.ts";

const f64 = (a: ArrayLike<number>, shape: number[]) => np.array(Float64Array.from(a), { dtype: np.float64, shape });

async function ready(): Promise<boolean> {
  const devices = await init("wasm");
  if (!devices.includes("wasm")) return false;
  defaultDevice("wasm");
  return true;
}

function compare(name: string, ours: ArrayLike<number>, theirs: ArrayLike<number>, tol: number) {
  if (ours.length !== theirs.length) throw new Error(`${name}: sizes ${ours.length} vs ${theirs.length}`);
  for (let i = 0; i < ours.length; i++) {
    assertAlmostEquals(ours[i], theirs[i], tol * Math.max(1, Math.abs(theirs[i])), `${name}[${i}]`);
  }
}

/** jax-js loss of logits z against targets: mean cross-entropy (one-hot t) or MSE over all entries. */
const jaxLoss = (z: np.Array, t: np.Array, kind: "xent" | "mse") =>
  kind === "xent" ? nn.logSoftmax(z, -1).mul(t).sum(-1).mean().neg() : np.square(z.sub(t)).mean();

/** Targets for both losses: labels for ours and a dense matrix for jax (one-hot, or random for MSE). */
function targets(kind: "xent" | "mse", labels: number[], K: number, rng: Rng) {
  const B = labels.length, dense = kind === "mse" ? rng.normal(B * K) : new Float64Array(B * K);
  if (kind === "xent") labels.forEach((c, i) => (dense[i * K + c] = 1));
  return { ours: kind === "xent" ? Int32Array.from(labels) : dense, dense };
}

for (const kind of ["mse", "xent"] as const) {
  const tol = kind === "mse" ? 1e-10 : 1e-6;
  Deno.test(`nn vs jax-js: dense ReLU net, ${kind} loss and gradients (float64)`, async () => {
    if (!(await ready())) return;
    const B = 5, D = 6, H = 7, K = 3, rng = Rng.fromSeed(1);
    const net = new Sequential([new Dense(H), new ReLU(), new Dense(K)], [D], { rng: rng.split("init") });
    for (const p of net.paramList()) for (let i = 0; i < p.size; i++) p.value[i] += 0.1 * rng.normal();
    const x = rng.normal(B * D), t = targets(kind, [0, 2, 1, 1, 0], K, rng);
    const loss = net.lossAndGrad(x, t.ours, B, kind);
    const [w1, b1, w2, b2] = net.paramList();
    const f = (p: np.Array[], xs: np.Array, oh: np.Array) => {
      const h = nn.relu(np.matmul(xs, p[0]).add(p[1]));
      return jaxLoss(np.matmul(h, p[2]).add(p[3]), oh, kind);
    };
    const params = [f64(w1.value, [D, H]), f64(b1.value, [H]), f64(w2.value, [H, K]), f64(b2.value, [K])];
    const [l, g] = valueAndGrad(f)(params, f64(x, [B, D]), f64(t.dense, [B, K]));
    assertAlmostEquals(loss, (await l.data())[0], tol);
    const names = ["w1", "b1", "w2", "b2"], ours = [w1, b1, w2, b2];
    for (let i = 0; i < 4; i++) compare(names[i], ours[i].grad, await g[i].data(), tol);
  });
}

for (const kind of ["mse", "xent"] as const) {
  const tol = kind === "mse" ? 1e-10 : 1e-6;
  Deno.test(`nn vs jax-js: conv (padding 1, stride 1 and 2) + avg-pool + dense, ${kind} loss and gradients`, async () => {
    if (!(await ready())) return;
    for (const stride of [1, 2]) {
      const B = 3, C = 2, S = 6, F = 3, k = 3, K = 4, rng = Rng.fromSeed(2 + stride);
      const net = new Sequential(
        [
          new Conv2d(F, k, { padding: 1, stride }),
          new ReLU(),
          new AvgPool2d(stride === 1 ? 2 : 1),
          new Flatten(),
          new Dense(K),
        ],
        [C, S, S],
        { rng: rng.split("init") },
      );
      for (const p of net.paramList()) for (let i = 0; i < p.size; i++) p.value[i] += 0.1 * rng.normal();
      const x = rng.normal(B * C * S * S), t = targets(kind, [3, 0, 1], K, rng);
      const loss = net.lossAndGrad(x, t.ours, B, kind);
      const [cw, cb, dw, db] = net.paramList();
      const po = S / 2;
      const f = (p: np.Array[], xs: np.Array, oh: np.Array) => {
        let h = lax.conv(xs, p[0], [stride, stride], [[1, 1], [1, 1]]).add(p[1].reshape([1, F, 1, 1]));
        h = nn.relu(h);
        if (stride === 1) h = h.reshape([B, F, po, 2, po, 2]).mean([3, 5]);
        return jaxLoss(np.matmul(h.reshape([B, F * po * po]), p[2]).add(p[3]), oh, kind);
      };
      const params = [
        f64(cw.value, [F, C, k, k]),
        f64(cb.value, [F]),
        f64(dw.value, [F * po * po, K]),
        f64(db.value, [K]),
      ];
      const [l, g] = valueAndGrad(f)(params, f64(x, [B, C, S, S]), f64(t.dense, [B, K]));
      assertAlmostEquals(loss, (await l.data())[0], tol);
      const names = ["conv.w", "conv.b", "dense.w", "dense.b"], ours = [cw, cb, dw, db];
      for (let i = 0; i < 4; i++) compare(`stride ${stride} ${names[i]}`, ours[i].grad, await g[i].data(), tol);
    }
  });
}

Deno.test("nn vs jax-js: conv (no bias) + tanh + max-pool + dense, MSE loss and gradients", async () => {
  if (!(await ready())) return;
  const B = 2, C = 1, S = 6, F = 2, k = 3, K = 3, rng = Rng.fromSeed(9);
  const net = new Sequential(
    [new Conv2d(F, k, { padding: 1, bias: false }), new Tanh(), new MaxPool2d(2), new Flatten(), new Dense(K)],
    [C, S, S],
    { rng: rng.split("init") },
  );
  const x = rng.normal(B * C * S * S), t = rng.normal(B * K);
  const loss = net.lossAndGrad(x, t, B, "mse");
  const [cw, dw, db] = net.paramList();
  const f = (p: np.Array[], xs: np.Array, tt: np.Array) => {
    const h = np.tanh(lax.conv(xs, p[0], [1, 1], [[1, 1], [1, 1]])).reshape([B, F, 3, 2, 3, 2]).max([3, 5]);
    return jaxLoss(np.matmul(h.reshape([B, F * 9]), p[1]).add(p[2]), tt, "mse");
  };
  const params = [f64(cw.value, [F, C, k, k]), f64(dw.value, [F * 9, K]), f64(db.value, [K])];
  const [l, g] = valueAndGrad(f)(params, f64(x, [B, C, S, S]), f64(t, [B, K]));
  // tanh is transcendental too, so the tolerance is the cross-entropy one.
  assertAlmostEquals(loss, (await l.data())[0], 1e-6);
  const ours = [cw, dw, db];
  for (let i = 0; i < 3; i++) compare(`maxpool net param ${i}`, ours[i].grad, await g[i].data(), 1e-6);
});
