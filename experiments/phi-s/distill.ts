/**
 * A label-free multi-teacher distillation toy: three small teachers on 14×14 MNIST digits with mismatched
 * activation scales, one MLP student with a linear head per teacher that regresses the teachers' normalised
 * features (MSE, the sum over teachers of each one's mean squared error), and the student's evaluation: each
 * teacher's error in its own (de-normalised) space and a linear probe of the student's trunk features.
 */

import type { Rng } from "../../lib/math/rng.ts";
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import { Adam, mlp, type Sequential, train } from "../../lib/math/nn/mod.ts";
import { denormalize, fitNormalizer, normalize, type Normalizer, type NormKind } from "./normalize.ts";

export const PIX = 196;
export const TEACHER_DIM = 32;

/** Output of the first `k` layers of a network on n rows. */
export function features(net: Sequential, x: ArrayLike<number>, n: number, k: number): Float64Array {
  const ctx = net.ctx();
  let h = Float64Array.from(x) as Float64Array | Float32Array;
  for (const l of net.layers.slice(0, k)) h = l.forward(h, n, ctx, false);
  return Float64Array.from(h);
}

export interface Teacher {
  name: string;
  net: Sequential;
  /** Layers up to the feature. */
  depth: number;
  /** The fixed multiplier that sets its activation scale. */
  scale: number;
}

/**
 * Three teachers of 32-d features: a classifier's last hidden layer (ReLU, × `scales[0]`), an autoencoder's
 * bottleneck (ReLU, × `scales[1]`), a random untrained projection (linear, × `scales[2]`).
 */
export function makeTeachers(
  x: Float64Array,
  labels: ArrayLike<number>,
  n: number,
  scales: readonly number[],
  epochs: number,
  rng: Rng,
): Teacher[] {
  const cls = mlp([PIX, 64, TEACHER_DIM, 10], { rng: rng.split("cls") });
  train({
    model: cls,
    optimizer: new Adam({ lr: 1e-3 }),
    x,
    y: labels,
    n,
    batchSize: 64,
    epochs,
    rng: rng.split("cls-order"),
  });
  const ae = mlp([PIX, TEACHER_DIM, PIX], { rng: rng.split("ae") });
  train({
    model: ae,
    optimizer: new Adam({ lr: 1e-3 }),
    x,
    y: x,
    n,
    batchSize: 64,
    epochs,
    rng: rng.split("ae-order"),
    loss: "mse",
  });
  const rnd = mlp([PIX, 64, TEACHER_DIM], { rng: rng.split("random") });
  return [
    { name: "classifier", net: cls, depth: 4, scale: scales[0] },
    { name: "autoencoder", net: ae, depth: 2, scale: scales[1] },
    { name: "random", net: rnd, depth: 3, scale: scales[2] },
  ];
}

/** A teacher's features on n rows (its scale applied). */
export function teacherFeatures(t: Teacher, x: ArrayLike<number>, n: number): Float64Array {
  return features(t.net, x, n, t.depth).map((v) => v * t.scale);
}

export interface Split {
  x: Float64Array;
  labels: Uint8Array;
  n: number;
  /** Per teacher: n × 32 features. */
  y: Float64Array[];
}

export interface StudentResult {
  /** Per teacher: 1 − R², ‖ŷ − y‖²/‖y − ȳ‖² on the evaluated split, in the teacher's own space. */
  errors: number[];
  /** Linear-probe test accuracy of the student's trunk features. */
  probe: number;
}

/** Per-teacher relative errors of a student's predictions on a split. */
export function teacherErrors(net: Sequential, norms: Normalizer[], s: Split): number[] {
  const out = features(net, s.x, s.n, net.layers.length), D = TEACHER_DIM * norms.length;
  return norms.map((nz, t) => {
    const z = new Float64Array(s.n * TEACHER_DIM);
    for (let i = 0; i < s.n; i++) {
      for (let j = 0; j < TEACHER_DIM; j++) z[i * TEACHER_DIM + j] = out[i * D + t * TEACHER_DIM + j];
    }
    const yhat = denormalize(nz, z, s.n), y = s.y[t];
    const mean = new Float64Array(TEACHER_DIM);
    for (let i = 0; i < s.n; i++) for (let j = 0; j < TEACHER_DIM; j++) mean[j] += y[i * TEACHER_DIM + j] / s.n;
    let num = 0, den = 0;
    for (let i = 0; i < s.n * TEACHER_DIM; i++) {
      num += (yhat[i] - y[i]) ** 2;
      den += (y[i] - mean[i % TEACHER_DIM]) ** 2;
    }
    return num / den;
  });
}

/** Ridge (λ = 1e-3·mean feature energy) from features + bias to one-hot labels; test accuracy. */
export function linearProbe(
  fTrain: Float64Array,
  yTrain: Uint8Array,
  nTr: number,
  fTest: Float64Array,
  yTest: Uint8Array,
  nTe: number,
  d: number,
): number {
  const p = d + 1, a = new Float64Array(p * p), b = new Float64Array(p * 10), row = new Float64Array(p);
  let energy = 0;
  for (let i = 0; i < nTr; i++) {
    for (let j = 0; j < d; j++) row[j] = fTrain[i * d + j];
    row[d] = 1;
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < p; k++) a[j * p + k] += row[j] * row[k];
      b[j * 10 + yTrain[i]] += row[j];
    }
    for (let j = 0; j < d; j++) energy += row[j] * row[j];
  }
  const lam = 1e-3 * energy / nTr + 1e-9;
  for (let j = 0; j < d; j++) a[j * p + j] += lam;
  const w = getLinalg().solve(mat(p, p, a), mat(p, 10, b)).data as Float64Array;
  let correct = 0;
  for (let i = 0; i < nTe; i++) {
    let best = -Infinity, arg = 0;
    for (let c = 0; c < 10; c++) {
      let s = w[d * 10 + c];
      for (let j = 0; j < d; j++) s += fTest[i * d + j] * w[j * 10 + c];
      if (s > best) [best, arg] = [s, c];
    }
    if (arg === yTest[i]) correct++;
  }
  return correct / nTe;
}

export interface StudentOptions {
  kind: NormKind;
  hidden: number;
  epochs: number;
  lr: number;
}

/**
 * Fit the normalisers on the distillation split, train the student on the concatenated normalised targets
 * (MSE over all 96 outputs = the mean of the three teachers' MSEs), return it with its normalisers.
 */
export function trainStudent(o: StudentOptions, tr: Split, rng: Rng): { net: Sequential; norms: Normalizer[] } {
  const T = tr.y.length, D = T * TEACHER_DIM;
  const norms = tr.y.map((y) => fitNormalizer(o.kind, y, tr.n, TEACHER_DIM));
  const zs = norms.map((nz, t) => normalize(nz, tr.y[t], tr.n));
  const target = new Float64Array(tr.n * D);
  for (let i = 0; i < tr.n; i++) {
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < TEACHER_DIM; j++) target[i * D + t * TEACHER_DIM + j] = zs[t][i * TEACHER_DIM + j];
    }
  }
  const net = mlp([PIX, o.hidden, o.hidden / 2, D], { rng: rng.split("init") });
  train({
    model: net,
    optimizer: new Adam({ lr: o.lr }),
    x: tr.x,
    y: target,
    n: tr.n,
    batchSize: 64,
    epochs: o.epochs,
    rng: rng.split("order"),
    loss: "mse",
  });
  return { net, norms };
}
