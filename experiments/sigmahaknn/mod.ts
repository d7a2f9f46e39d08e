/**
 * sigmahaknn — Shao, Chan, Cochrane, Foster, Lyons: "Dimensionless Anomaly Detection on Multivariate Streams
 * with Variance Norm and Path Signature" (arXiv 2006.03487). SigMahaKNN scores a stream by the variance norm
 * (the Mahalanobis distance of the corpus's signature covariance, pseudo-inverse on its row space, ∞ off it) from
 * its truncated signature to the nearest corpus signature. The paper's data (pen digits, ship AIS, language,
 * UCR) are not available offline; this module runs the method on synthetic streams (2-channel OU vs Brownian
 * motion with matched terminal variance, each family in turn the normal one), against isolation forest and LOF on the same
 * signatures and on moment features (as the official paper-examples do), per signature level 1–4, and measures
 * the invariances the paper proves: to a change of units and to reparametrisation.
 */
import { z } from "zod";
import { between, count, intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, type RunContext, tol } from "../../lib/experiment.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import { bestOf, LARGEST, monotone, notMeasured, threshold } from "../../lib/claims/mod.ts";
import { isolationForest, lof } from "../../lib/math/anomaly.ts";
import { rocAuc } from "../../lib/math/stats.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { makeStreams, momentFeatures, type SigData, type StreamSets } from "./data.ts";
import { addTime, sigDim, sigMul, signature } from "./signature.ts";
import { conformance, fitVarianceNorm } from "./varnorm.ts";

const ABSTRACT = { url: "https://arxiv.org/abs/2006.03487", where: "abstract" };

const config = z.object({
  depth: intAtLeast(1, 3, "signature truncation level"),
  nCorpus: count(500, "normal streams in the corpus the detectors are fitted on"),
  nInlier: count(100, "normal test streams"),
  nOutlier: count(100, "anomalous test streams (Brownian motion)"),
  length: intAtLeast(3, 50, "samples per stream, on [0, 1]"),
  theta: positive(4, "OU mean reversion θ of the normal streams (unit noise)"),
  corr: between(-0.99, 0.99, 0.5, "correlation of the two channels' noise"),
  unitScale: positive(100, "change of units: channel 0 multiplied by this in the `units` copy"),
  normal: z.enum(["ou", "bm"]).default("ou").describe(
    "which family is normal: 'ou' (OU normal, Brownian anomalies) or 'bm' (Brownian normal, OU anomalies)",
  ),
  lofK: intAtLeast(1, 20, "LOF neighbours (sklearn default)"),
});
type Cfg = z.infer<typeof config>;

/** A method's AUCs on the original, rescaled and reparametrised sets, and identity residuals where it has them. */
interface Out {
  auc: number;
  aucUnits: number;
  aucReparam: number;
  chenErr?: number;
  lineErr?: number;
  rank?: number;
}

type Features = (s: StreamSets, cfg: Cfg) => { f: Float64Array[]; dim: number };

function sigFeatures(time: boolean): Features {
  return (s, cfg) => {
    const d = s.ch + (time ? 1 : 0);
    const one = (st: { x: Float64Array; len: number }) =>
      signature(time ? addTime(st.x, st.len, s.ch) : st.x, st.len, d, cfg.depth);
    return { f: [...s.corpus, ...s.inliers, ...s.outliers].map(one), dim: sigDim(d, cfg.depth) };
  };
}

const moments: Features = (s) => {
  const f = [...s.corpus, ...s.inliers, ...s.outliers].map((st) => momentFeatures(st, s.ch));
  return { f, dim: f[0].length };
};

function stack(rows: Float64Array[], dim: number): Float64Array {
  const out = new Float64Array(rows.length * dim);
  rows.forEach((r, i) => out.set(r, i * dim));
  return out;
}

type Scorer = (x: Float64Array, nC: number, nT: number, dim: number, cfg: Cfg, ctx: RunContext) => Float64Array;

/** SigMahaKNN: variance norm fitted on the corpus, conformance of the test streams (kth = 1). */
const mahaKnn: Scorer = (x, nC, nT, dim, _cfg, ctx) => {
  const vn = fitVarianceNorm(x.subarray(0, nC * dim), nC, dim, ctx.linalg ?? getLinalg());
  return conformance(vn, x.subarray(0, nC * dim), nC, x.subarray(nC * dim), nT);
};
/** LOF fitted on corpus ∪ test (as the official baseline does), scores of the test part. */
const lofScore: Scorer = (x, nC, nT, dim, cfg) => lof(x, nC + nT, dim, cfg.lofK).slice(nC);
/** Isolation forest (sklearn defaults) on corpus ∪ test; the same random stream for every copy of the data. */
const ifScore: Scorer = (x, nC, nT, dim, _cfg, ctx) =>
  isolationForest(x, nC + nT, dim, ctx.rng.split("iforest")).slice(nC);

function aucOf(s: StreamSets, feats: Features, score: Scorer, cfg: Cfg, ctx: RunContext): number {
  const { f, dim } = feats(s, cfg), nC = s.corpus.length, nT = s.inliers.length + s.outliers.length;
  const scores = score(stack(f, dim), nC, nT, dim, cfg, ctx);
  const labels = new Float64Array(nT);
  labels.fill(1, s.inliers.length);
  return rocAuc(scores, labels);
}

function runDetector(feats: Features, score: Scorer) {
  return (d: SigData, cfg: Cfg, ctx: RunContext): Out => ({
    auc: aucOf(d.base, feats, score, cfg, ctx),
    aucUnits: aucOf(d.units, feats, score, cfg, ctx),
    aucReparam: aucOf(d.reparam, feats, score, cfg, ctx),
  });
}

/** Chen's identity on the first corpus stream split in the middle, and exp of a straight line's increment. */
function identities(d: SigData, cfg: Cfg): { chenErr: number; lineErr: number } {
  const s = d.base.corpus[0], ch = d.base.ch, x = addTime(s.x, s.len, ch), dd = ch + 1;
  const h = Math.floor(s.len / 2);
  const whole = signature(x, s.len, dd, cfg.depth);
  const a = signature(x.subarray(0, (h + 1) * dd), h + 1, dd, cfg.depth);
  const b = signature(x.subarray(h * dd), s.len - h, dd, cfg.depth);
  const ab = sigMul(a, b, dd, cfg.depth);
  let chenErr = 0, scale = 0;
  for (let i = 0; i < whole.length; i++) chenErr = Math.max(chenErr, Math.abs(whole[i] - ab[i]));
  for (const v of whole) scale = Math.max(scale, Math.abs(v));
  // a straight line through 5 collinear points: level l is Δ^{⊗l}/l!
  const line = new Float64Array(5 * dd);
  for (let k = 0; k < 5; k++) for (let c = 0; c < dd; c++) line[k * dd + c] = (k / 4) * (c + 1) * 0.7;
  const sl = signature(line, 5, dd, cfg.depth);
  let lineErr = 0, off = 0, p = 1;
  for (let l = 1; l <= cfg.depth; l++) {
    p *= dd;
    let fact = 1;
    for (let i = 2; i <= l; i++) fact *= i;
    for (let w = 0; w < p; w++) {
      let prod = 1, ww = w;
      for (let i = 0; i < l; i++) prod *= (ww % dd + 1) * 0.7, ww = Math.floor(ww / dd);
      lineErr = Math.max(lineErr, Math.abs(sl[off + w] - prod / fact));
    }
    off += p;
  }
  return { chenErr: chenErr / Math.max(scale, 1), lineErr };
}

const BASELINES = ["if_sig", "lof_sig", "if_mom", "lof_mom"];

export default defineExperiment({
  id: "sigmahaknn",
  paper: {
    title: "Dimensionless Anomaly Detection on Multivariate Streams with Variance Norm and Path Signature",
    authors: "Zhen Shao, Ryan Sze-Yin Chan, Thomas Cochrane, Peter Foster, Terry Lyons",
    year: 2020,
    arxiv: "2006.03487",
  },
  summary: "SigMahaKNN scores a stream by the variance norm (Mahalanobis distance with the corpus's signature " +
    "covariance, pseudo-inverse) from its truncated path signature to the nearest corpus signature. The paper " +
    "claims better ROC-AUC than isolation forest and LOF and invariance to units and reparametrisation. We test " +
    "this on synthetic 2-channel streams (OU vs Brownian motion of matched terminal variance, each in turn normal) per " +
    "signature level, with the paper's real datasets not available offline.",
  config,
  scales: {
    smoke: {
      description: "100 corpus streams, 30 + 30 test streams of length 20, levels 1–2; well under a second per run",
      seeds: 2,
      grid: { depth: [1, 2], normal: ["ou", "bm"] },
      set: { nCorpus: 100, nInlier: 30, nOutlier: 30, length: 20 },
      deviations: ["tiny corpus: AUC noisy; for plumbing only"],
    },
    paper: {
      description: "500 corpus streams, 100 normal + 100 anomalous test streams of length 50, signature levels " +
        "1–4, all six detectors, 5 seeds",
      seeds: 5,
      grid: { depth: [1, 2, 3, 4], normal: ["ou", "bm"] },
      deviations: [
        "synthetic data only (the paper's pen digits, ship AIS, language and UCR sets are not available offline); " +
        "levels 1–4 (the paper goes to 5)",
        "changed after the first verify run (same code, OU normal only): SigMahaKNN AUC at levels 1–4 was 0.508 → " +
        "0.392 → 0.265 → 0.222 (IF/LOF on signatures 0.188/0.194, IF/LOF on moments 0.679/0.526 at level 4): the " +
        "Brownian anomalies have a smaller spread than the OU streams at intermediate times, so they sit inside " +
        "the normal cloud and every distance- or isolation-based detector ranks them as typical. The grid then " +
        "added the swapped setting (Brownian normal, OU anomalies); the claims check both settings, the first " +
        "one included, so the change cannot hide that result. Rerun on fresh seeds 5–9 (`deno task run sigmahaknn " +
        "--scale paper --seed-list 5,6,7,8,9`): the same paper verdicts (Brownian normal: 0.985 at level 4 vs " +
        "IF/LOF on signatures 0.914/0.913; OU normal: 0.22; both invariances exact)",
      ],
    },
  },
  deviations: [
    "data: OU (θ = 4, unit noise) vs Brownian motion with the same terminal variance, 2 channels with noise " +
    "correlation 0.5, each family in turn the normal one — our choice, not a dataset of the paper",
    "numerical rank of the corpus by a relative cut s_i > 1e-10·s₁ (the official Mahalanobis class uses an " +
    "absolute cut 1e-12, which is not itself unit-invariant)",
    "kNN is exact brute force over the corpus (the official code uses sklearn or pynndescent on the whitened " +
    "coordinates, then the same 20-candidate subspace filter, kth = 1)",
    "isolation forest is fitted on corpus ∪ test (transductive, lib/math/anomaly.ts); the official baseline fits " +
    "it on the corpus only. LOF is fitted on corpus ∪ test in both",
    "signatures computed in TypeScript (Chen's identity per segment), augmentation 'addtime' (the official " +
    "default) for sigmahaknn and the signature baselines; sigmahaknn_notime uses no augmentation, for the " +
    "reparametrisation claim",
    "no hyper-parameter tuning for any method: official/sklearn defaults (kth = 1, 20 candidates; LOF k = 20; " +
    "IF 100 trees of 256 samples)",
  ],
  data: (cfg: Cfg, { rng }): SigData => makeStreams(cfg, rng),
  dataKeys: ["normal", "nCorpus", "nInlier", "nOutlier", "length", "theta", "corr", "unitScale"],
  methods: {
    sigmahaknn: {
      label: "SigMahaKNN (addtime)",
      description: "variance-norm 1-NN distance to the corpus on time-augmented truncated signatures (paper §3, " +
        "official SignatureMahalanobisKNN)",
      run: (d: SigData, cfg: Cfg, ctx) => ({
        ...runDetector(sigFeatures(true), mahaKnn)(d, cfg, ctx),
        ...identities(d, cfg),
      }),
    },
    sigmahaknn_notime: {
      label: "SigMahaKNN (no time)",
      description: "the same on signatures without time augmentation (reparametrisation-invariant by construction)",
      run: runDetector(sigFeatures(false), mahaKnn),
    },
    if_sig: {
      label: "IF on signatures",
      description: "isolation forest on the same time-augmented signatures (official baselines/isolation_forest.py)",
      run: runDetector(sigFeatures(true), ifScore),
    },
    lof_sig: {
      label: "LOF on signatures",
      description: "local outlier factor on the same signatures (official baselines/local_outlier_factor.py)",
      run: runDetector(sigFeatures(true), lofScore),
    },
    if_mom: {
      label: "IF on moments",
      description: "isolation forest on per-stream mean and covariance (official compute_moment_features)",
      run: runDetector(moments, ifScore),
    },
    lof_mom: {
      label: "LOF on moments",
      description: "local outlier factor on per-stream mean and covariance",
      run: runDetector(moments, lofScore),
    },
  },
  metrics: {
    auc: higher("ROC-AUC, anomalies vs normal test streams", tol.statistic()),
    auc_units: higher("ROC-AUC with channel 0 in other units (× unitScale)", tol.statistic()),
    auc_reparam: higher("ROC-AUC on reparametrised streams", tol.statistic()),
    auc_units_delta: lower("|AUC(units) − AUC|", tol.rounding(1e-3)),
    auc_reparam_delta: lower("|AUC(reparametrised) − AUC|", tol.rounding(1e-3)),
    chen_err: lower("max |S(x) − S(x₁)⊗S(x₂)| / max|S(x)| (Chen's identity)", tol.rounding(1e-12)),
    line_err: lower("max |S(line) − exp(Δ)| (straight line)", tol.rounding(1e-12)),
  },
  measure: (_d: SigData, o: Out) => ({
    auc: o.auc,
    auc_units: o.aucUnits,
    auc_reparam: o.aucReparam,
    auc_units_delta: Math.abs(o.aucUnits - o.auc),
    auc_reparam_delta: Math.abs(o.aucReparam - o.auc),
    ...(o.chenErr === undefined ? {} : { chen_err: o.chenErr, line_err: o.lineErr! }),
  }),
  claims: [
    {
      id: "beats-if-lof",
      kind: "paper",
      statement: "SigMahaKNN detects anomalous streams better than isolation forest and LOF: at the largest " +
        "signature level, its ROC-AUC beats each of IF and LOF on signatures and on moment features by 2% beyond " +
        "2 SE over seeds (the vocabulary's default margin), in both settings (OU normal and Brownian normal).",
      paper: { value: "significantly improved anomaly detection compared to IF and LOF", source: ABSTRACT },
      check: bestOf({
        metric: "auc",
        winner: "sigmahaknn",
        others: BASELINES,
        better: "higher",
        where: { depth: LARGEST },
        forEach: "normal",
      }),
    },
    {
      id: "unit-invariant",
      kind: "paper",
      statement: "SigMahaKNN is dimensionless: changing the unit of one channel (× unitScale) leaves the ROC-AUC " +
        "unchanged — |ΔAUC| ≤ 1e-3 in every run at every level (a changed rank order would move it by ≥ 1/(100·100)).",
      paper: { value: "independent of the unit of measurement of the channels", source: ABSTRACT },
      check: threshold({ metric: "auc_units_delta", method: ["sigmahaknn", "sigmahaknn_notime"], below: 1e-3 }),
    },
    {
      id: "reparam-invariant",
      kind: "paper",
      statement: "SigMahaKNN on signatures without time augmentation is invariant to reparametrising the streams " +
        "(extra points on segments, pauses): |ΔAUC| ≤ 1e-3 in every run at every level.",
      paper: { value: "invariant to stream reparametrisation", source: ABSTRACT },
      check: threshold({ metric: "auc_reparam_delta", method: "sigmahaknn_notime", below: 1e-3 }),
    },
    {
      id: "graded-by-level",
      kind: "paper",
      statement: "Discrimination is graded by the truncation level: SigMahaKNN's mean AUC does not fall from one " +
        "level to the next by more than 0.01 beyond 2 SE (our reading: a higher level sees at least as much).",
      paper: { value: "graded discrimination power depending on the truncation level", source: ABSTRACT },
      check: monotone({
        metric: "auc",
        method: "sigmahaknn",
        x: "depth",
        direction: "increasing",
        margin: { abs: -0.01 },
        forEach: "normal",
      }),
    },
    {
      id: "real-datasets",
      kind: "paper",
      statement: "The ROC-AUC table on pen digits, ship AIS movements, language data and UCR series.",
      paper: { value: "ROC-AUC tables (paper §5; official paper-examples/results/*.csv)", source: ABSTRACT },
      check: notMeasured("the paper's datasets are not available offline; only synthetic streams are run"),
    },
    {
      id: "chen-identity",
      kind: "identity",
      statement: "Our signatures satisfy Chen's identity S(x) = S(x|[0,h]) ⊗ S(x|[h,1]) (relative error ≤ 1e-12) " +
        "and a straight line's signature is exp of its increment (error ≤ 1e-12).",
      check: threshold({ metric: "chen_err", method: "sigmahaknn", below: 1e-12 }),
    },
    {
      id: "line-is-exp",
      kind: "identity",
      statement: "The signature of a straight line is exp(Δ): level l equals Δ^{⊗l}/l! to 1e-12.",
      check: threshold({ metric: "line_err", method: "sigmahaknn", below: 1e-12 }),
    },
  ],
  figures: [
    {
      id: "auc-vs-level",
      title: "ROC-AUC vs signature level, per detector",
      caption: "Mean over seeds. Moment-feature baselines do not depend on the level.",
      spec: lineChart({ metric: "auc", x: "depth", xTitle: "signature level", yTitle: "ROC-AUC", points: true }),
    },
  ],
  tables: [
    {
      id: "summary",
      title: "ROC-AUC and invariance gaps per detector and signature level",
      metrics: ["auc", "auc_units_delta", "auc_reparam_delta"],
      by: ["depth"],
    },
  ],
});
