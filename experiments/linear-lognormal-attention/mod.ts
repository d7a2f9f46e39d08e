/**
 * linear-lognormal-attention — Nahshan, Kampeas & Haleva: "Linear Log-Normal Attention with Unbiased
 * Concentration" (ICLR 2024, arXiv 2311.13541; no official code found). Softmax attention's (SA) entries are
 * approximately log-normal under a Gaussian model of queries and keys, and concentrate (entropy falls) as the
 * temperature — the variance of the scores — grows. Linear Log-Normal attention (LLN) uses the feature maps
 * exp(αq), exp(βk), with α, β chosen by moment matching so that its log-weights have SA's variance; the paper
 * claims LLN thereby reproduces SA's distribution and concentration, unlike other linearised attentions.
 *
 * Here: random Gaussian Q, K (n × d) whose scores q·k/√d have variance σ² (the temperature knob), and four
 * attentions on them — softmax, LLN (our Fenton–Wilkinson moment matching, lln.ts), elu+1 linear attention and
 * Performer positive random features — measured by the row variance of log P, the row entropy, and the KS
 * distance of the row-standardised log-weights to a normal, against the softmax's on the same Q, K. No training.
 */
import { z } from "zod";
import { count, positive } from "../../lib/fields.ts";
import { defineExperiment, lower, reported, roundoff, tol } from "../../lib/experiment.ts";
import { bestOf, notMeasured, threshold } from "../../lib/claims/mod.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import {
  type AttentionResult,
  attentionStats,
  eluAttention,
  llnAttention,
  performerAttention,
  type Qkv,
  softmaxAttention,
} from "./lln.ts";

const config = z.object({
  n: count(256, "sequence length (tokens): P is n×n"),
  d: count(32, "query/key width of the head"),
  dv: count(16, "value width"),
  sigma2: positive(
    1,
    "temperature knob: variance σ² of the scores q·k/√d (q, k entries i.i.d. N(0, σ)), i.e. the log-variance of a " +
      "softmax row under the Gaussian model",
  ),
  features: count(64, "Performer random features m"),
});
type Cfg = z.infer<typeof config>;

const ABSTRACT = {
  url: "https://arxiv.org/abs/2311.13541",
  where:
    "abstract: 'introduce a novel self-attention mechanism, Linear Log-Normal Attention, designed to emulate the " +
    "distribution and concentration behavior of the original self-attention … outperforms other linearized " +
    "attention alternatives'",
};
const SUMMARY_PAGE = {
  url: "https://www.sciencestack.ai/paper/2311.13541",
  where: "TL;DR: 'exponential feature maps to mimic SA's log-normal distribution. LLN employs moment matching to " +
    "align its variance with SA and uses a temperature parameter to control concentration'",
};

const SIGMA2_PAPER = [0.25, 1, 2, 4, 8];
const LINEAR = ["lln", "lln_fw", "elu", "performer"];
const ALL = ["softmax", ...LINEAR];

/** Q, K with i.i.d. N(0, σ_e²) entries, σ_e² = √σ² so that Var(q·k/√d) = σ_e⁴ = σ²; V standard normal. */
function makeQkv(cfg: Cfg, rng: Rng): Qkv {
  const se = Math.sqrt(Math.sqrt(cfg.sigma2));
  const scale = (a: Float64Array) => a.map((x) => x * se);
  return {
    n: cfg.n,
    d: cfg.d,
    dv: cfg.dv,
    q: scale(rng.split("q").normal(cfg.n * cfg.d)),
    k: scale(rng.split("k").normal(cfg.n * cfg.d)),
    v: rng.split("v").normal(cfg.n * cfg.dv),
  };
}

/** Largest |a − b| over entries, relative to the largest |b|. */
function relMaxDiff(a: Float64Array, b: Float64Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

/** ‖a − b‖_F / ‖b‖_F. */
function relFro(a: Float64Array, b: Float64Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

export default defineExperiment({
  id: "linear-lognormal-attention",
  paper: {
    title: "Linear Log-Normal Attention with Unbiased Concentration",
    authors: "Yury Nahshan, Joseph Kampeas, Emir Haleva",
    year: 2024,
    arxiv: "2311.13541",
    venue: "ICLR 2024",
  },
  summary: "LLN attention (feature maps exp(αq), exp(βk), α and β moment-matched to softmax's log-variance) is " +
    "claimed to reproduce softmax attention's log-normal weights and its concentration, unlike other linearised " +
    "attentions. On random Gaussian Q, K with controlled score variance σ² we compare the row log-variance, entropy " +
    "and log-normality of softmax, LLN, elu+1 and Performer attention matrices; the trained-model accuracy " +
    "claims are not measured.",
  config,
  scales: {
    smoke: {
      description: "n = 64 tokens, d = 16, σ² ∈ {1, 4}, 2 seeds",
      seeds: 2,
      set: { n: 64, d: 16, features: 32 },
      grid: { sigma2: [1, 4] },
      deviations: ["tiny sizes: claims are shown, not meaningful"],
    },
    paper: {
      description: "n = 256 tokens, d = 32, dv = 16, σ² ∈ {0.25, 1, 2, 4, 8}, Performer m = 64 features, 5 seeds",
      seeds: 5,
      grid: { sigma2: SIGMA2_PAPER },
      deviations: [
        "random Gaussian queries and keys (the paper's Gaussian model) instead of the attention matrices of trained " +
        "RoBERTa / ViT models; one head, n = 256, d = 32",
      ],
    },
  },
  deviations: [
    "Moment matching is ours: the paper's own α, β formula (its §4 and appendix) could not be read here (only the " +
    "abstract and summaries). Both our versions set ασ_q = βσ_k = s (symmetric choice), σ_q², σ_k² estimated from " +
    "the entries of Q and K, and aim LLN's row log-variance at σ_sm² = σ_q²σ_k². `lln`: s by bisection so that a " +
    "fixed Monte-Carlo sample of the Gaussian model (48 queries × 384 keys, independent of the data) has that " +
    "log-variance (lln.ts llnCalibrated). `lln_fw`: the closed-form Fenton–Wilkinson approximation (llnMoments)",
    "Changed after seeing a result: the first smoke run had only the closed-form Fenton–Wilkinson matching as `lln`; " +
    "it undershot, LLN/SA log-variance ratio 0.40 (σ² = 1) and 0.25 (σ² = 4) at n = 64, d = 16; the calibrated " +
    "matching became `lln` and the closed form stays as `lln_fw`, reported beside it. Rerun on fresh seeds 5–9 " +
    "(`deno task run linear-lognormal-attention --scale paper --seed-list 5,6,7,8,9`): lln-variance-matched holds " +
    "(ratio 0.96–0.98) and the entropy claims fail as on the verdict's seeds, but lln-lognormal fails there (worst " +
    "KS 0.0506 at σ² = 1 and 0.0502 at σ² = 2 against 0.05): its pass on seeds 0–4 (0.049) sits at the threshold's " +
    "edge and is not robust",
    "No temperature parameter beyond the moment matching, no block-diagonal (LLN+Diag) component",
    "Performer: i.i.d. (not orthogonal) Gaussian features, m fixed, no feature redraws",
    "Log-normality is measured by the Kolmogorov–Smirnov distance of row-standardised log-weights pooled over " +
    "rows to N(0, 1), not by the paper's figures of the fitted densities; the spectral-gap measure is not computed",
    "The trained comparisons (GLUE accuracy of RoBERTa with each attention; a tiny ViT) are not run",
  ],
  data: (cfg, { rng }) => makeQkv(cfg, rng),
  dataKeys: ["n", "d", "dv", "sigma2"],
  methods: {
    softmax: {
      label: "softmax (SA)",
      description: "softmax(QKᵀ/√d) row-wise (Vaswani et al. 2017)",
      run: (x: Qkv) => softmaxAttention(x),
    },
    lln: {
      label: "LLN",
      description: "exp(αq)·exp(βk) feature maps, α, β moment-matched to SA's log-variance (paper §4); our matching: " +
        "Monte-Carlo calibration of the Gaussian model (lln.ts llnCalibrated)",
      run: (x: Qkv) => llnAttention(x),
    },
    lln_fw: {
      label: "LLN (closed-form matching)",
      description: "LLN with α, β from our closed-form Fenton–Wilkinson matching (lln.ts llnMoments)",
      run: (x: Qkv) => llnAttention(x, "fenton-wilkinson"),
    },
    elu: {
      label: "elu+1 linear",
      description: "φ(x) = elu(x) + 1 (Katharopoulos et al. 2020)",
      run: (x: Qkv) => eluAttention(x),
    },
    performer: {
      label: "Performer",
      description: "positive random features exp(Wx − ‖x‖²/2)/√m (Choromanski et al. 2021), m = features",
      run: (x: Qkv, cfg: Cfg, ctx) => performerAttention(x, cfg.features, ctx.rng),
    },
  },
  metrics: {
    log_var: reported("mean row variance of log P_ij", tol.stable()),
    log_var_ratio: reported("log-variance / softmax's on the same Q, K", tol.stable()),
    log_var_model: reported("log-variance / σ² (the Gaussian model's softmax value)", tol.stable()),
    entropy: reported("mean row entropy of P (nats)", tol.stable()),
    entropy_gap: lower("|mean row entropy − softmax's| / softmax's", tol.stable(1e-4)),
    ks: lower("KS distance of row-standardised log P to N(0, 1)", tol.stable()),
    out_err: reported("‖PV − P_sm V‖_F / ‖P_sm V‖_F", tol.stable()),
    route_err: lower(
      "max |associative − quadratic output| / max |output|",
      tol.rounding(roundoff({ n: 256 * 32, cond: 100 })),
    ),
    row_sum_err: lower("max_i |Σ_j P_ij − 1|", tol.rounding(roundoff({ n: 256 }))),
    alpha: reported("LLN's α (β equal here: σ_q = σ_k)", tol.stable()),
  },
  measure: (x: Qkv, r: AttentionResult, cfg: Cfg) => {
    const sm = softmaxAttention(x);
    const s = attentionStats(r.p, x.n), s0 = attentionStats(sm.p, x.n);
    return {
      log_var: s.logVar,
      log_var_ratio: s.logVar / s0.logVar,
      log_var_model: s.logVar / cfg.sigma2,
      entropy: s.entropy,
      entropy_gap: Math.abs(s.entropy - s0.entropy) / s0.entropy,
      ks: s.ks,
      out_err: relFro(r.outQuad, sm.outQuad),
      route_err: relMaxDiff(r.outLinear, r.outQuad),
      row_sum_err: s.rowSumErr,
      ...(Number.isFinite(r.alpha) ? { alpha: r.alpha } : {}),
    };
  },
  claims: [
    {
      id: "lln-lognormal",
      kind: "paper",
      statement: "LLN's attention weights are approximately log-normal, like softmax's: at every σ², the KS distance " +
        "of the row-standardised log-weights to N(0, 1) is ≤ 0.05 in every run, for both (threshold fixed before " +
        "the paper-scale run).",
      paper: { value: "SA and LLN matrices approximately log-normal (figures)", source: SUMMARY_PAGE },
      check: threshold({ metric: "ks", method: ["softmax", "lln"], below: 0.05, forEach: "sigma2" }),
    },
    {
      id: "lln-variance-matched",
      kind: "paper",
      statement: "Moment matching aligns LLN's log-weight variance with softmax's: at every σ², the ratio of row " +
        "log-variances LLN/SA lies in [0.8, 1.25] in every run.",
      paper: { value: "'moment matching to align its variance with SA'", source: SUMMARY_PAGE },
      check: threshold({ metric: "log_var_ratio", method: "lln", above: 0.8, below: 1.25, forEach: "sigma2" }),
    },
    {
      id: "lln-concentration-tracks-softmax",
      kind: "paper",
      statement: "LLN emulates softmax's concentration as the temperature grows: at every σ², its mean row entropy " +
        "is within 10% of softmax's in every run.",
      paper: { value: "'designed to emulate the distribution and concentration behavior'", source: ABSTRACT },
      check: threshold({ metric: "entropy_gap", method: "lln", below: 0.1, forEach: "sigma2" }),
    },
    {
      id: "lln-closest-linear",
      kind: "paper",
      statement: "Among the linearised attentions LLN is the one whose concentration is closest to softmax's: at " +
        "every σ², its relative entropy gap is below elu+1's and Performer's (paired by seed, margin 2% beyond 2·SE). " +
        "Our proxy: the abstract's claim is about benchmark accuracy, which is not measured here.",
      paper: { value: "'outperforms other linearized attention alternatives'", source: ABSTRACT },
      check: bestOf({
        metric: "entropy_gap",
        winner: "lln",
        others: ["elu", "performer"],
        better: "lower",
        forEach: "sigma2",
      }),
    },
    {
      id: "glue-accuracy",
      kind: "paper",
      statement: "LLN outperforms other linearised attentions on natural-language benchmarks (GLUE, RoBERTa).",
      paper: { value: "GLUE table", source: ABSTRACT },
      check: notMeasured(
        "needs pre-training and fine-tuning RoBERTa-size models; no trained model is run in this module",
      ),
    },
    {
      id: "softmax-logvar-is-sigma2",
      kind: "sanity",
      statement: "Ours: the Gaussian model holds for softmax — its row log-variance is within 20% of σ² in every run.",
      check: threshold({ metric: "log_var_model", method: "softmax", above: 0.8, below: 1.2 }),
    },
    {
      id: "linear-routes-agree",
      kind: "identity",
      statement: "Each linear attention computed by the associative route φ_Q(Q)(φ_K(K)ᵀV) equals its quadratic " +
        "route P·V (relative max difference ≤ 1e-10).",
      check: threshold({ metric: "route_err", method: LINEAR, below: 1e-10 }),
    },
    {
      id: "rows-stochastic",
      kind: "identity",
      statement: "Every attention matrix is row-stochastic: max_i |Σ_j P_ij − 1| ≤ 1e-12.",
      check: threshold({ metric: "row_sum_err", method: ALL, below: 1e-12 }),
    },
  ],
  figures: [
    {
      id: "log-variance",
      title: "Row variance of log-attention weights vs the score variance σ²",
      mirrors: "the paper's variance / moment-matching figure (SA vs LLN)",
      spec: lineChart({ metric: "log_var", x: "sigma2", xTitle: "σ² (score variance)", yTitle: "Var log P_ij" }),
    },
    {
      id: "entropy",
      title: "Mean row entropy vs σ² (concentration)",
      mirrors: "the paper's entropy-vs-temperature figure",
      spec: lineChart({ metric: "entropy", x: "sigma2", xTitle: "σ² (score variance)", yTitle: "entropy (nats)" }),
    },
    {
      id: "ks",
      title: "KS distance of log-weights to a normal vs σ²",
      spec: lineChart({ metric: "ks", x: "sigma2", xTitle: "σ² (score variance)", yTitle: "KS distance" }),
    },
  ],
  tables: [{
    id: "summary",
    title: "Attention statistics per method and σ²",
    metrics: ["log_var", "log_var_ratio", "entropy", "entropy_gap", "ks", "out_err"],
    by: ["sigma2"],
  }],
});
