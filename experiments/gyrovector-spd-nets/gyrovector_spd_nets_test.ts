import { matmulSmall } from "../../lib/math/linalg/mat_small.ts";
import { assert, assertAlmostEquals, assertOrthonormalColumns } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { eigSym, EXP, LOG, matFn, matFnBackward, qf, reeig, transpose } from "./spdnn.ts";
import { initNet, lossAndGrad, type Net } from "./models.ts";

function randSpd(rng: Rng, d: number): Float64Array {
  const a = rng.normal(d * d);
  const s = matmulSmall(a, transpose(a, d, d), d, d, d);
  for (let i = 0; i < d; i++) s[i * d + i] += 0.5;
  return s;
}

Deno.test("Jacobi eigensolver: A U = U Λ and Uᵀ U = I", () => {
  const rng = Rng.fromSeed(1), d = 7, a = randSpd(rng, d);
  const { values, vectors: U } = eigSym(a, d);
  const au = matmulSmall(a, U, d, d, d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) assertAlmostEquals(au[i * d + k], U[i * d + k] * values[k], 1e-10);
  }
  assertOrthonormalColumns(U, d, d, 1e-12);
});

Deno.test("matrix log/exp: exp(log A) = A; 2×2 diagonal case exact", () => {
  const rng = Rng.fromSeed(2), d = 5, a = randSpd(rng, d);
  const back = matFn(matFn(a, d, LOG).out, d, EXP).out;
  for (let i = 0; i < d * d; i++) assertAlmostEquals(back[i], a[i], 1e-9 * Math.max(1, Math.abs(a[i])));
  const l = matFn(Float64Array.from([4, 0, 0, 9]), 2, LOG).out;
  assertAlmostEquals(l[0], Math.log(4), 1e-14);
  assertAlmostEquals(l[3], Math.log(9), 1e-14);
});

Deno.test("Daleckii–Krein backward matches finite differences (log, exp, ReEig)", () => {
  const rng = Rng.fromSeed(3), d = 4;
  for (const fn of [LOG, EXP, reeig(0.8)]) {
    const x = randSpd(rng, d), g = rng.normal(d * d);
    const L = (m: Float64Array) => matFn(m, d, fn).out.reduce((s, v, i) => s + v * g[i], 0);
    const an = matFnBackward(matFn(x, d, fn), g, d);
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const h = 1e-6, up = Float64Array.from(x), dn = Float64Array.from(x);
        up[i * d + j] += h, dn[i * d + j] -= h;
        if (i !== j) up[j * d + i] += h, dn[j * d + i] -= h;
        const fd = (L(up) - L(dn)) / (2 * h);
        const want = i === j ? an[i * d + i] : an[i * d + j] + an[j * d + i];
        assertAlmostEquals(want, fd, 1e-5 * Math.max(1, Math.abs(fd)), `entry (${i},${j})`);
      }
    }
  }
});

function fdCheck(net: Net, key: "w" | "v" | "b" | "t", xs: Float64Array[], ys: number[]) {
  const { grad } = lossAndGrad(net, xs, ys);
  const p = net[key];
  for (let i = 0; i < Math.min(p.length, 12); i++) {
    const h = 1e-6, old = p[i];
    p[i] = old + h;
    const lu = lossAndGrad(net, xs, ys).loss;
    p[i] = old - h;
    const ld = lossAndGrad(net, xs, ys).loss;
    p[i] = old;
    const fd = (lu - ld) / (2 * h);
    assertAlmostEquals(grad[key][i], fd, 1e-6 + 1e-4 * Math.abs(fd), `${net.head} ∂/∂${key}[${i}]`);
  }
}

Deno.test("SPDNet and gyro-MLR gradients match finite differences (BiMap weight, head parameters)", () => {
  const rng = Rng.fromSeed(4), d = 6, e = 3;
  const xs = [0, 1, 2, 3].map(() => randSpd(rng, d)), ys = [0, 1, 2, 1];
  for (const head of ["spdnet", "gyro"] as const) {
    const net = initNet({ head, d, e, classes: 3, eps: 1e-4 }, rng.split(head));
    net.t = rng.normal(net.t.length).map((v) => 0.3 * v);
    fdCheck(net, "w", xs, ys);
    fdCheck(net, "v", xs, ys);
    if (head === "spdnet") fdCheck(net, "b", xs, ys);
    else fdCheck(net, "t", xs, ys);
  }
});

Deno.test("gyro MLR with P_k = I reduces to a linear head on log(Y) without bias (identity)", () => {
  const rng = Rng.fromSeed(5), d = 5, e = 3;
  const g = initNet({ head: "gyro", d, e, classes: 2, eps: 1e-6 }, rng);
  const s: Net = { ...g, head: "spdnet", b: new Float64Array(2) };
  const xs = [randSpd(rng, d), randSpd(rng, d)];
  assertAlmostEquals(lossAndGrad(g, xs, [0, 1]).loss, lossAndGrad(s, xs, [0, 1]).loss, 1e-12);
  assert(qf(g.w, d, e).every((v, i) => Math.abs(v - g.w[i]) < 1e-12), "W starts orthonormal");
});
