/**
 * The expensive input shared by every method of one seed: split the 10k digits, train two MLPs (the second
 * only for AgreeScore), build the shift suite on the held-out split and record each model's outputs on it.
 * Methods only read these outputs and score them.
 */
import { random } from "@jax-js/jax";
import { loadMnist } from "../../datasets/mnist.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { CLASSES, PIXELS, predict, trainMlp, type TrainOptions, type Weights } from "./mlp.ts";
import { corruptAll, type SuiteName, SUITES } from "./shifts.ts";
import { argmaxRows } from "./scores.ts";

export interface SuiteConfig {
  nTrain: number;
  nVal: number;
  nTest: number;
  hidden: number;
  steps: number;
  batch: number;
  lr: number;
  suite: SuiteName;
}

/** One shifted test set: its true accuracy and what the models output on it. */
export interface ShiftedSet {
  corruption: string;
  severity: number;
  /** Accuracy of model A (the model being evaluated) on this set. */
  accuracy: number;
  /** Model A logits, n × K. */
  logits: Float32Array;
  /** Model B logits (independent init and data order), n × K: for AgreeScore only. */
  logitsB: Float32Array;
  /** Σ of model A's penultimate features per predicted class, K × H (for Dispersion). */
  featSums: Float64Array;
  /** Number of test points predicted as each class. */
  predCounts: Int32Array;
}

export interface SuiteData {
  K: number;
  H: number;
  sets: ShiftedSet[];
  /** Source validation split (in-distribution, labelled): for ATC and DoC calibration. */
  val: { logits: Float32Array; labels: Uint8Array };
  /** Class proportions of the training labels (COT's source label distribution). */
  prior: Float64Array;
  /** Accuracy of model A on the clean held-out split. */
  cleanAccuracy: number;
  trainLoss: number[];
}

function accuracyOf(logits: ArrayLike<number>, labels: Uint8Array): number {
  const pred = argmaxRows(logits, CLASSES);
  let c = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) c++;
  return c / labels.length;
}

function gather(images: Float32Array, labels: Uint8Array, idx: Int32Array) {
  const x = new Float32Array(idx.length * PIXELS), y = new Uint8Array(idx.length);
  idx.forEach((i, j) => {
    x.set(images.subarray(i * PIXELS, (i + 1) * PIXELS), j * PIXELS);
    y[j] = labels[i];
  });
  return { x, y };
}

async function train(x: Float32Array, y: Uint8Array, cfg: SuiteConfig, rng: Rng) {
  const opts: TrainOptions = { hidden: cfg.hidden, steps: cfg.steps, batch: cfg.batch, lr: cfg.lr, momentum: 0.9 };
  const order = rng.split("order");
  const key: ReturnType<typeof random.key> = rng.split("init").jaxKey();
  return await trainMlp(x, y, opts, key, () => order.permutation(y.length));
}

export async function buildSuite(cfg: SuiteConfig, rng: Rng): Promise<SuiteData> {
  const total = cfg.nTrain + cfg.nVal + cfg.nTest;
  const digits = await loadMnist();
  if (total > digits.n) throw new Error(`mano: nTrain + nVal + nTest = ${total} > ${digits.n} digits`);
  const perm = rng.split("split").permutation(digits.n);
  const tr = gather(digits.images, digits.labels, perm.subarray(0, cfg.nTrain));
  const va = gather(digits.images, digits.labels, perm.subarray(cfg.nTrain, cfg.nTrain + cfg.nVal));
  const te = gather(digits.images, digits.labels, perm.subarray(cfg.nTrain + cfg.nVal, total));

  const A = await train(tr.x, tr.y, cfg, rng.split("modelA"));
  const B = await train(tr.x, tr.y, cfg, rng.split("modelB"));
  const wA: Weights = A.weights, wB: Weights = B.weights, H = cfg.hidden, K = CLASSES;

  const prior = new Float64Array(K);
  for (const y of tr.y) prior[y] += 1 / tr.y.length;
  const val = { logits: (await predict(wA, va.x)).logits, labels: va.y };
  const cleanAccuracy = accuracyOf((await predict(wA, te.x)).logits, te.y);

  const sets: ShiftedSet[] = [];
  for (const corruption of SUITES[cfg.suite]) {
    for (let severity = 1; severity <= 5; severity++) {
      const x = corruptAll(te.x, corruption, severity, rng.split(`shift/${corruption}/${severity}`));
      const a = await predict(wA, x), b = await predict(wB, x);
      const pred = argmaxRows(a.logits, K);
      const featSums = new Float64Array(K * H), predCounts = new Int32Array(K);
      for (let i = 0; i < pred.length; i++) {
        predCounts[pred[i]]++;
        for (let h = 0; h < H; h++) featSums[pred[i] * H + h] += a.features[i * H + h];
      }
      sets.push({
        corruption,
        severity,
        accuracy: accuracyOf(a.logits, te.y),
        logits: a.logits,
        logitsB: b.logits,
        featSums,
        predCounts,
      });
    }
  }
  return { K, H, sets, val, prior, cleanAccuracy, trainLoss: A.losses };
}
