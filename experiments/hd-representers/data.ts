/**
 * Inputs of one run: a data set, split by the seed, with the model every scorer explains already fitted (the full
 * ℓ1-logistic fit and its ISTA checkpoints, or the soft-impute fit), and the test points to explain.
 */
import { loadSklearnTable } from "../../datasets/sklearn-tabular.ts";
import { loadSklearnDigits } from "../../datasets/sklearn-digits.ts";
import type { Rng } from "../../lib/math/rng.ts";
import type { Linalg } from "../../lib/math/linalg/types.ts";
import { type Checkpoint, type Design, fitL1Logistic, istaCheckpoints, type L1Fit, margins } from "./l1logistic.ts";
import { incidence, type Ratings, softImpute, type SoftImputeFit } from "./mc.ts";
import { support } from "./scorers.ts";
import type { Queries } from "./scorers.ts";

export const L1_DATASETS = ["breast_cancer", "digits", "synthetic"] as const;
export type L1Dataset = typeof L1_DATASETS[number];

/** An ℓ1-logistic task: training design, the test points explained, the fitted model and TracIn's checkpoints. */
export interface L1Task {
  kind: "l1";
  train: Design;
  q: Queries;
  c: number;
  fit: L1Fit;
  nnz: number;
  testAcc: number;
  checkpoints: Checkpoint[];
}

/** A matrix-completion task: training ratings, the soft-impute fit, the test entries explained. */
export interface McTask {
  kind: "mc";
  ratings: Ratings;
  lambda: number;
  fit: SoftImputeFit;
  tests: [number, number][];
  testRmse: number;
  inc: { byUser: number[][]; byItem: number[][] };
}

export type Task = L1Task | McTask;

/** Raw features and 0/1 labels before the split. */
interface Table {
  x: Float64Array;
  y: Float64Array;
  n: number;
  d: number;
}

async function loadTable(name: L1Dataset, o: { synthN: number; synthD: number; synthS: number }, rng: Rng) {
  if (name === "breast_cancer") {
    const t = await loadSklearnTable("breast_cancer");
    return { x: Float64Array.from(t.x), y: Float64Array.from(t.y), n: t.n, d: t.d, standardize: true };
  }
  if (name === "digits") {
    // Binary: digits 0–4 (label 0) vs 5–9 (label 1); pixels already in [0, 1].
    const t = await loadSklearnDigits();
    return {
      x: Float64Array.from(t.images),
      y: Float64Array.from(t.labels, (l) => (l >= 5 ? 1 : 0)),
      n: t.n,
      d: 64,
      standardize: false,
    };
  }
  // Synthetic high-dimensional sparse logistic model: x ~ N(0, I_d), θ* with s entries ±1, y ~ Bernoulli(σ(θ*ᵀx)).
  const { synthN: n, synthD: d, synthS: s } = o;
  const x = rng.normal(n * d), star = new Float64Array(d);
  const perm = rng.permutation(d);
  for (let a = 0; a < s; a++) star[perm[a]] = rng.uniform() < 0.5 ? -1 : 1;
  const t = margins({ x, y: new Float64Array(n), n, d }, star);
  const y = t.map((ti) => (rng.uniform() < 1 / (1 + Math.exp(-ti)) ? 1 : 0));
  return { x, y, n, d, standardize: false };
}

function rows(t: Table, idx: ArrayLike<number>): Design {
  const n = idx.length, d = t.d, x = new Float64Array(n * d), y = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    x.set(t.x.subarray(idx[a] * d, (idx[a] + 1) * d), a * d);
    y[a] = t.y[idx[a]];
  }
  return { x, y, n, d };
}

/** Split 80/20 by the seed, standardize with training statistics where asked, fit, pick `nTest` test points. */
export async function makeL1Task(
  name: L1Dataset,
  cfg: { c: number; nTest: number; synthN: number; synthD: number; synthS: number; tracInSteps: number },
  rng: Rng,
): Promise<L1Task> {
  const raw = await loadTable(name, cfg, rng.split("table"));
  const perm = rng.split("split").permutation(raw.n), nTrain = Math.round(0.8 * raw.n);
  const train = rows(raw, perm.subarray(0, nTrain)), test = rows(raw, perm.subarray(nTrain));
  if (raw.standardize) {
    for (let k = 0; k < raw.d; k++) {
      let m = 0, v = 0;
      for (let i = 0; i < train.n; i++) m += train.x[i * raw.d + k];
      m /= train.n;
      for (let i = 0; i < train.n; i++) v += (train.x[i * raw.d + k] - m) ** 2;
      const sd = Math.sqrt(v / train.n) || 1;
      for (const ds of [train, test]) {
        for (let i = 0; i < ds.n; i++) ds.x[i * raw.d + k] = (ds.x[i * raw.d + k] - m) / sd;
      }
    }
  }
  const fit = fitL1Logistic(train, cfg.c);
  const tt = margins(test, fit.theta);
  let correct = 0;
  for (let i = 0; i < test.n; i++) correct += (tt[i] > 0 ? 1 : 0) === test.y[i] ? 1 : 0;
  const pick = rng.split("queries").permutation(test.n).subarray(0, Math.min(cfg.nTest, test.n));
  const q = { x: rows(test, pick).x, m: pick.length };
  const checkpoints = istaCheckpoints(train, cfg.c, { steps: cfg.tracInSteps, every: cfg.tracInSteps / 10 });
  return {
    kind: "l1",
    train,
    q,
    c: cfg.c,
    fit,
    nnz: support(fit.theta).length,
    testAcc: correct / test.n,
    checkpoints,
  };
}

/**
 * Synthetic ratings: M = U*V*ᵀ/√k (U*, V* standard normal, so entries are about N(0, 1)), each entry observed with
 * probability `density` with Gaussian noise; λ = lambdaFrac · σ_max(P_Ω(R)); test entries are unobserved entries
 * whose user and item both have at least 3 training ratings.
 */
export function makeMcTask(
  la: Linalg,
  cfg: {
    mcUsers: number;
    mcItems: number;
    mcRank: number;
    mcDensity: number;
    mcNoise: number;
    lambdaFrac: number;
    nTest: number;
  },
  rng: Rng,
): McTask {
  const nu = cfg.mcUsers, ni = cfg.mcItems, k = cfg.mcRank;
  const us = rng.normal(nu * k), vs = rng.normal(ni * k);
  const truth = new Float64Array(nu * ni);
  for (let a = 0; a < nu; a++) {
    for (let b = 0; b < ni; b++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += us[a * k + j] * vs[b * k + j];
      truth[a * ni + b] = s / Math.sqrt(k);
    }
  }
  const obs = new Uint8Array(nu * ni), uu: number[] = [], ii: number[] = [], rr: number[] = [];
  for (let a = 0; a < nu; a++) {
    for (let b = 0; b < ni; b++) {
      if (rng.uniform() >= cfg.mcDensity) continue;
      obs[a * ni + b] = 1;
      uu.push(a);
      ii.push(b);
      rr.push(truth[a * ni + b] + cfg.mcNoise * rng.normal());
    }
  }
  const ratings: Ratings = { nu, ni, u: Int32Array.from(uu), i: Int32Array.from(ii), r: Float64Array.from(rr) };
  const inc = incidence(ratings);
  const filled = new Float64Array(nu * ni);
  for (let e = 0; e < rr.length; e++) filled[uu[e] * ni + ii[e]] = rr[e];
  const lambda = cfg.lambdaFrac * la.svd({ rows: nu, cols: ni, data: filled }).s[0];
  const fit = softImpute(la, ratings, lambda);
  let se = 0, cnt = 0;
  const candidates: [number, number][] = [];
  for (let a = 0; a < nu; a++) {
    for (let b = 0; b < ni; b++) {
      if (obs[a * ni + b]) continue;
      se += (fit.z[a * ni + b] - truth[a * ni + b]) ** 2;
      cnt++;
      if (inc.byUser[a].length >= 3 && inc.byItem[b].length >= 3) candidates.push([a, b]);
    }
  }
  const pick = rng.split("queries").permutation(candidates.length).subarray(0, cfg.nTest);
  return {
    kind: "mc",
    ratings,
    lambda,
    fit,
    tests: Array.from(pick, (p) => candidates[p]),
    testRmse: Math.sqrt(se / cnt),
    inc,
  };
}
