/**
 * Inputs of one run, shared by both recourse methods: scikit-learn's breast-cancer table split and standardised,
 * the trained classifier, its influence directions, the queries that need recourse, and the random deletion draws.
 * Also the evaluation both methods go through: retraining after random and after worst-case deletions.
 */
import { loadSklearnTable } from "../../datasets/sklearn-tabular.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { pearson } from "../../lib/math/stats.ts";
import { forward, initParams, makeNet, type Net, type Rows, train, type Trained } from "./model.ts";
import { influenceDirections, logitInfluence, worstDeletions } from "./recourse.ts";

/** What data() builds. */
export interface Prepared {
  net: Net;
  train: Rows;
  theta: Float64Array;
  /** Influence directions vᵢ = H⁻¹∇ℓᵢ, n × p. */
  v: Float64Array;
  /** Test rows the model rejects (f < 0), up to nQuery of them, row-major × d. */
  queries: Float64Array;
  nQueries: number;
  /** One random order of the training rows per deletion draw; a draw deletes the first k. */
  draws: Int32Array[];
  testAcc: number;
  gradNorm: number;
  trainIters: number;
  l2: number;
  retrainIters: number;
}

/** The data keys of the config. */
export interface DataConfig {
  model: "lr" | "mlp";
  hidden: number;
  l2: number;
  damping: number;
  testFrac: number;
  nQuery: number;
  draws: number;
  trainIters: number;
  retrainIters: number;
}

/** Gradient tolerance of training and retraining (‖∇L‖∞). */
export const TRAIN_TOL = 1e-9;

/**
 * Split breast cancer (569 × 30; label 1 = benign, the favourable outcome) at random into train/test, z-score both
 * by the training mean and deviation, train the model, and pick the queries.
 */
export async function prepare(cfg: DataConfig, rng: Rng): Promise<Prepared> {
  const t = await loadSklearnTable("breast_cancer");
  const perm = rng.split("split").permutation(t.n);
  const nTest = Math.round(cfg.testFrac * t.n), nTrain = t.n - nTest, d = t.d;
  const pick = (from: number, count: number) => {
    const x = new Float64Array(count * d), y = new Uint8Array(count);
    for (let r = 0; r < count; r++) {
      const i = perm[from + r];
      x.set(t.x.subarray(i * d, (i + 1) * d), r * d);
      y[r] = t.y[i];
    }
    return { x, y };
  };
  const tr = pick(0, nTrain), te = pick(nTrain, nTest);
  for (let j = 0; j < d; j++) {
    let mu = 0, s2 = 0;
    for (let i = 0; i < nTrain; i++) mu += tr.x[i * d + j] / nTrain;
    for (let i = 0; i < nTrain; i++) s2 += (tr.x[i * d + j] - mu) ** 2 / nTrain;
    const sd = Math.sqrt(s2) || 1;
    for (let i = 0; i < nTrain; i++) tr.x[i * d + j] = (tr.x[i * d + j] - mu) / sd;
    for (let i = 0; i < nTest; i++) te.x[i * d + j] = (te.x[i * d + j] - mu) / sd;
  }
  const net = makeNet(cfg.model, d, cfg.hidden);
  const rows: Rows = { x: tr.x, y: tr.y, n: nTrain };
  const fit = train(net, initParams(net, rng.split("init")), rows, {
    l2: cfg.l2,
    tol: TRAIN_TOL,
    maxIter: cfg.trainIters,
  });
  const v = influenceDirections(net, fit.theta, rows, cfg.l2, cfg.damping);
  let correct = 0;
  const q: number[] = [];
  for (let i = 0; i < nTest; i++) {
    const f = forward(net, fit.theta, te.x, i * d);
    if ((f >= 0 ? 1 : 0) === te.y[i]) correct++;
    if (f < 0 && q.length < cfg.nQuery * d) { for (let j = 0; j < d; j++) q.push(te.x[i * d + j]); }
  }
  const drawRng = rng.split("draws");
  return {
    net,
    train: rows,
    theta: fit.theta,
    v,
    queries: Float64Array.from(q),
    nQueries: q.length / d,
    draws: Array.from({ length: cfg.draws }, () => drawRng.permutation(nTrain)),
    testAcc: correct / nTest,
    gradNorm: fit.gradNorm,
    trainIters: fit.iters,
    l2: cfg.l2,
    retrainIters: cfg.retrainIters,
  };
}

/** Retrain from the trained θ with the rows of `deleted` removed. */
export function retrain(p: Prepared, deleted: ArrayLike<number>): Trained {
  const keep = new Uint8Array(p.train.n).fill(1);
  for (let i = 0; i < deleted.length; i++) keep[deleted[i]] = 0;
  return train(p.net, p.theta, { ...p.train, keep }, { l2: p.l2, tol: TRAIN_TOL, maxIter: p.retrainIters });
}

/** How a set of counterfactuals fares when k training rows are deleted and the model retrained. */
export interface Invalidation {
  /** Mean over draws of the fraction of counterfactuals the retrained model rejects (k random deletions). */
  random: number;
  /** Fraction rejected when, for each counterfactual, its own worst k deletions (first order) are made. */
  worst: number;
  /** Fraction the first-order model θ + (1/n)Σvᵢ already rejects for those worst deletions (no retraining). */
  worstPredicted: number;
  /** Pearson correlation of the predicted and the retrained logit change at the counterfactuals (worst case). */
  influenceCorr: number;
  /** Least-squares slope through 0 of the retrained on the predicted change (1: first order is right on average). */
  influenceScale: number;
  /**
   * Fraction rejected after deleting, for each counterfactual, the worst k rows at its query x (the set RR-CFE-k
   * guards against: official get_k_min_values) and retraining.
   */
  anticipated: number;
  /** Largest ‖∇L‖∞ after any retraining. */
  retrainGrad: number;
}

/** Retrained models of the random draws, shared by the methods of one process (same data object, same k). */
const drawModels = new WeakMap<Prepared, Map<string, Trained>>();

/** Invalidation of the counterfactuals `cfs[j]` of the queries `xs[j]` under k deletions (see {@link Invalidation}). */
export function invalidation(
  p: Prepared,
  xs: Float64Array[],
  cfs: Float64Array[],
  k: number,
  target: number,
): Invalidation {
  const n = p.train.n;
  let retrainGrad = 0;
  const cache = drawModels.get(p) ?? new Map<string, Trained>();
  drawModels.set(p, cache);
  let random = 0;
  for (let r = 0; r < p.draws.length; r++) {
    const key = `${k}:${r}`;
    const fit = cache.get(key) ?? retrain(p, p.draws[r].subarray(0, k));
    cache.set(key, fit);
    retrainGrad = Math.max(retrainGrad, fit.gradNorm);
    random += cfs.filter((z) => forward(p.net, fit.theta, z, 0) < target).length / cfs.length / p.draws.length;
  }
  let worst = 0, worstPredicted = 0, anticipated = 0;
  const pred: number[] = [], actual: number[] = [];
  cfs.forEach((z, j) => {
    const guarded = retrain(p, worstDeletions(logitInfluence(p.net, p.theta, p.v, n, xs[j]), k));
    retrainGrad = Math.max(retrainGrad, guarded.gradNorm);
    if (forward(p.net, guarded.theta, z, 0) < target) anticipated++;
    const a = logitInfluence(p.net, p.theta, p.v, n, z);
    const set = worstDeletions(a, k);
    const f0 = forward(p.net, p.theta, z, 0);
    const change = set.reduce((s, i) => s + a[i], 0) / n;
    const fit = retrain(p, set);
    retrainGrad = Math.max(retrainGrad, fit.gradNorm);
    const f1 = forward(p.net, fit.theta, z, 0);
    if (f1 < target) worst++;
    if (f0 + change < target) worstPredicted++;
    pred.push(change);
    actual.push(f1 - f0);
  });
  const pp = pred.reduce((s, v) => s + v * v, 0), pa = pred.reduce((s, v, j) => s + v * actual[j], 0);
  return {
    random,
    worst: worst / cfs.length,
    worstPredicted: worstPredicted / cfs.length,
    influenceCorr: pred.length >= 3 ? pearson(pred, actual) : NaN,
    influenceScale: pp > 0 ? pa / pp : NaN,
    anticipated: anticipated / cfs.length,
    retrainGrad,
  };
}
