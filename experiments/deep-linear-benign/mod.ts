/**
 * Deep Linear Networks can Benignly Overfit when Shallow Ones Do (Niladri S. Chatterji, Philip M. Long, 2023): the
 * module's declaration. Deep linear networks trained by gradient descent to interpolate noisy data have excess risk
 * close to the minimum-ℓ2-norm interpolant's, with exactly the same conditional variance (depth does not 'hide the
 * noise' better); Config, scales, methods, metrics, claims and figures below; deviations from the paper in
 * `deviations`, the algorithms in this folder's other files, what runs in README.md.
 */
import { z } from "zod";
import { atLeast, count, intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, lower, reported, tol } from "../../lib/experiment.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { eachCase, fmt, pairedComparison, threshold, verdict } from "../../lib/claims/mod.ts";
import { excessRisk, type M, makeRegression, type Regression, trainLoss } from "./data.ts";
import { endToEnd, minNorm, trainDeepLinear } from "./deepnet.ts";
import { lineChart } from "../../lib/figures/mod.ts";

const config = z.object({
  n: count(100, "training samples n (official num_samples)"),
  d: count(500, "input dimension d"),
  q: count(3, "output dimension q"),
  k: count(10, "number of high-variance (variance 1) input coordinates"),
  eps: positive(0.01, "variance ε of the remaining d − k coordinates"),
  noise: atLeast(0, 1, "label noise standard deviation σ"),
  hidden: intAtLeast(1, 2, "hidden layers (weight matrices L = hidden + 1)"),
  widthFactor: count(10, "hidden width h = widthFactor·(d + q)"),
  alpha: atLeast(0, 0, "std α of the first layer at init"),
  beta: atLeast(0, 1, "std β of the last layer at init"),
  lrWidth: positive(
    0.503,
    "GD step × hidden width: lr = lrWidth / h (official lr 10⁻⁴ at h = 5030, d = 500, gives 0.503)",
  ),
  targetLoss: positive(1e-7, "stop when the training MSE is below this"),
  maxEpochs: count(100000, "epoch cap"),
});
type Config = z.infer<typeof config>;

interface Output {
  w: M;
  epochs?: number;
}

const REPO = "niladri-chatterji/benign-deep-linear";
const LOG = (d: number) => ({
  url: `https://github.com/${REPO}/blob/main/results/logs/exp_2_dimension_${d}/stdout.txt`,
  where: "mean of the 20 runs' final excess risk",
});
const ABSTRACT = { url: "https://arxiv.org/abs/2209.09315", where: "abstract" };

/** Excess risk per seed: the net at (d, α), or the min-norm interpolant at d (run once, at α = 0). */
function risk(r: ResultSet, method: "deep_linear" | "min_norm", d: unknown, alpha = 0): Map<number, number> {
  const where = method === "min_norm" ? { d } : { d, alpha };
  return new Map(r.select({ metric: "excess_risk", method, where }).map((x) => [x.seed, x.value]));
}

/** Per-seed pairs (a, b) over the seeds both maps hold. */
function pair(a: Map<number, number>, b: Map<number, number>): [number, number][] {
  const out: [number, number][] = [...a].filter(([s]) => b.has(s)).map(([s, v]) => [v, b.get(s)!]);
  if (!out.length) throw new Error("no shared seeds");
  return out;
}

/** Per-seed gap risk(net at α) − risk(min-norm), at dimension d. */
function gaps(r: ResultSet, d: unknown, alpha: unknown): Map<number, number> {
  const net = risk(r, "deep_linear", d, alpha as number), ols = risk(r, "min_norm", d);
  return new Map(pair(net, ols).map(([n, o], i) => [[...net.keys()].filter((s) => ols.has(s))[i], n - o]));
}

export default defineExperiment({
  id: "deep-linear-benign",
  paper: {
    title: "Deep Linear Networks can Benignly Overfit when Shallow Ones Do",
    authors: "Niladri S. Chatterji, Philip M. Long",
    year: 2023,
    arxiv: "2209.09315",
    venue: "JMLR 24(117)",
    code: REPO,
  },
  summary: "Deep linear networks trained by gradient descent to interpolate noisy data have excess risk close to the " +
    "minimum-ℓ2-norm interpolant's, with exactly the same conditional variance (depth does not 'hide the noise' " +
    "better); the extra risk comes from the part of the random initialization in the null space of the data and grows " +
    "with the first-layer init scale α and with d. We train the official architecture (first layer ~ N(0, α²), " +
    "identity hidden layers, last layer ~ N(0, β²), width 10(d + q)) on the official anisotropic Gaussian data and " +
    "compare its exact excess risk with the min-norm interpolant's as α and d vary (the paper's Figure 1).",
  config,
  scales: {
    smoke: {
      description: "n = 10, d ∈ {30, 40}, k = 2, width 10(d + 3), α ∈ {0, 0.05}, lr = 1.2/h, 2 seeds",
      seeds: 2,
      set: { n: 10, k: 2, lrWidth: 1.2, maxEpochs: 5000 },
      grid: { d: [30, 40], alpha: [0, 0.05] },
      deviations: [
        "n, d, k scaled down about 10× so a run takes seconds; α = 0.05 so the init effect exceeds seed noise",
      ],
    },
    paper: {
      description: "n = 20, k = 2, d ∈ {60, 120}, width 10(d + 3), α ∈ {0, 0.003, 0.01, 0.02}, β = 1, lr = 1.2/h, " +
        "3 seeds",
      seeds: 3,
      set: { n: 20, k: 2, lrWidth: 1.2, maxEpochs: 20000 },
      grid: { d: [60, 120], alpha: [0, 0.003, 0.01, 0.02] },
      deviations: [
        "Scaled down 5×: n = 20 (paper 100), k = 2 (10), d ∈ {60, 120} (200–2000) with the same width rule 10(d + q), " +
        "so the 10⁵-epoch float32 GPU runs become CPU runs of ~10³ epochs.",
        "lr = 1.2/h instead of the fixed 10⁻⁴ (lr·h = 0.5 at d = 500 up to 2.0 at d = 2000 in the official runs): " +
        "with our narrower nets 10⁻⁴ takes ~2·10⁴ epochs (checked at n = 20, d = 60) and a fixed larger lr diverges " +
        "at d = 120, so the step is scaled with 1/h.",
        "α up to 0.02 instead of 10⁻³: the init-induced risk scales like q·h·α²·ε(d − k), so with our 10× smaller h·d " +
        "the official α range would change the risk by under 1%.",
        "3 seeds instead of 20; 4 α values instead of 10.",
      ],
    },
  },
  deviations: [
    "Excess risk is computed exactly as tr((W − θ*)ᵀΣ(W − θ*)) instead of on 10·d fresh noise-free test points.",
    "float64 on CPU instead of float32 PyTorch on GPU.",
    "Only the α sweep of the linear network (Figure 1, exp2) is run; the β sweep (exp4), the d sweep at fixed α " +
    "(exp1, Figure 3) and the ReLU networks (Figure 2) are not.",
  ],
  data: (cfg, { rng }) => makeRegression(cfg, rng),
  dataKeys: ["n", "d", "q", "k", "eps", "noise"],
  methods: {
    min_norm: {
      label: "min-ℓ2-norm interpolant",
      description: "Xᵀ(XXᵀ)⁻¹Y (official exp2.py `OLS`; the shallow benchmark of §1)",
      skip: (cfg) => cfg.alpha !== 0 && "does not depend on α (run once, at α = 0)",
      run: (p: Regression): Output => ({ w: minNorm(p) }),
    },
    deep_linear: {
      label: "deep linear net (GD)",
      description: "W_L⋯W_1 with W_1 ~ N(0, α²), identity hidden layers, W_L ~ N(0, β²), full-batch GD on the MSE " +
        "to loss ≤ target (§2 and §6; official src/model.py LinearNet, src/utils.py TrainNet)",
      run: (p: Regression, cfg: Config, ctx): Output => {
        const width = cfg.widthFactor * (cfg.d + cfg.q);
        const r = trainDeepLinear(p, { ...cfg, width, lr: cfg.lrWidth / width }, ctx.rng, (e, layers) => {
          if (e % 200 === 0) ctx.observe(e, layers);
        });
        return { w: r.w, epochs: r.epochs };
      },
    },
  },
  metrics: {
    // GD (BLAS matmuls) stopped when the training MSE falls below targetLoss: the stopped iterate, its risk and
    // its distance to the min-norm solution move with the last bits by far less than the stopping tolerance.
    excess_risk: lower("excess risk E‖(W − θ*)ᵀx‖²", tol.iterative(1e-4)),
    dist_to_min_norm: reported("‖W − W_min-norm‖²_F", tol.iterative(1e-4)),
    // The loss at the stopping epoch and the epoch count are outcomes of a threshold test.
    train_loss: lower("training loss ‖XW − Y‖²/n", tol.statistic()),
    epochs: reported("GD epochs", tol.statistic()),
  },
  observe: (p: Regression, layers: M[]) => ({ excess_risk: excessRisk(p, endToEnd(layers)) }),
  measure: (p: Regression, out: Output) => {
    const ols = minNorm(p);
    let dist = 0;
    for (let i = 0; i < ols.data.length; i++) dist += (out.w.data[i] - ols.data[i]) ** 2;
    return {
      excess_risk: excessRisk(p, out.w),
      dist_to_min_norm: dist,
      train_loss: trainLoss(p, out.w),
      epochs: out.epochs ?? 0,
    };
  },
  claims: [
    {
      id: "zero-init-is-min-norm",
      kind: "identity",
      statement: "True by mathematics (the end-to-end map of a net whose first layer starts at 0 stays in the row " +
        "space of X, so GD that interpolates lands on the minimum-norm interpolant); a check of our GD. Checked: " +
        "‖W − W_min-norm‖²_F < 10⁻³ in every α = 0 run.",
      paper: { value: "‖W − W_OLS‖² ≈ 3.2–3.6·10⁻⁵ at α = 0, d = 500", source: LOG(500) },
      check: threshold({ metric: "dist_to_min_norm", method: "deep_linear", where: { alpha: 0 }, below: 1e-3 }),
    },
    {
      id: "depth-does-not-beat-min-norm",
      kind: "paper",
      statement: "Depth does not improve on the min-norm interpolant: interpolating deep linear nets have the same " +
        "conditional variance, so their excess risk is not below the min-norm one (abstract). Checked at every " +
        "(d, α > 0), paired per seed (same data): the net's risk is not below the min-norm risk by more than 1% " +
        "of it beyond 2·SE, i.e. min-norm does not lose by 1%: mean(net − min-norm) + 2·SE ≥ −1% of min-norm. " +
        "(α = 0 is the identity above.)",
      paper: { value: "same conditional variance as the min-ℓ2 interpolant", source: ABSTRACT },
      check: Object.assign((r: ResultSet) => {
        const alphas = (r.levels("alpha") as number[]).filter((a) => a > 0);
        const cases = r.levels("d").flatMap((d) => alphas.map((alpha) => ({ d, alpha })));
        return eachCase(cases, ({ d, alpha }) => {
          const c = pairedComparison(pair(risk(r, "deep_linear", d, alpha), risk(r, "min_norm", d)), {
            better: "lower",
          });
          // advantage = mean(min-norm − net); the net "beats" min-norm only if advantage − noise > 1% of it
          return {
            pass: !(c.advantage - c.noise > 0.01 * Math.abs(c.baseline)),
            text: `d=${d}, α=${alpha}: ${fmt(c.method)} vs ${fmt(c.baseline)} (ratio ${fmt(c.method / c.baseline)})`,
          };
        }, { prefix: "net vs min-norm excess risk: " });
      }, { metrics: ["excess_risk"] }),
    },
    {
      id: "risk-grows-with-alpha",
      kind: "paper",
      statement: "The excess risk of the net grows with the first-layer init scale α (Figure 1; official logs at " +
        "d = 2000: 0.393 at α = 0 vs 1.148 at α = 10⁻³). Checked at every d, paired per seed (same data, same " +
        "init draw scaled by α): at the largest α the risk exceeds the α = 0 risk by more than 1% of it beyond " +
        "2·SE, and no step between consecutive α lowers the mean risk by more than 2·SE.",
      paper: { value: "d = 2000: 0.393 (α = 0) → 1.148 (α = 10⁻³)", source: LOG(2000) },
      check: Object.assign((r: ResultSet) => {
        const alphas = r.levels("alpha") as number[];
        return eachCase(r.levels("d"), (d) => {
          const at = (a: number) => risk(r, "deep_linear", d, a);
          const top = pairedComparison(pair(at(alphas.at(-1)!), at(alphas[0])), {
            better: "higher",
            margin: { rel: 0.01 },
          });
          let steps = true;
          for (let i = 1; i < alphas.length; i++) {
            const c = pairedComparison(pair(at(alphas[i]), at(alphas[i - 1])), { better: "higher", margin: {} });
            steps &&= c.advantage + c.noise >= 0;
          }
          const means = alphas.map((a) =>
            fmt(r.mean({ metric: "excess_risk", method: "deep_linear", where: { d, alpha: a } }))
          );
          return {
            pass: top.pass && steps,
            text: `d=${d}: ${means.join(" → ")} (α=${alphas.at(-1)} vs 0: ${top.text}${steps ? "" : "; a step falls"})`,
          };
        });
      }, { metrics: ["excess_risk"] }),
    },
    {
      id: "alpha-effect-grows-with-d",
      kind: "paper",
      statement: "The init-induced risk is larger in higher dimension (Figure 1: the curves for larger d rise " +
        "faster). Checked: at the largest α the gap risk(net) − risk(min-norm) is larger at the largest d than at " +
        "the smallest by 2% beyond 2·SE (seeds paired by index; the two d draw independent data).",
      paper: { value: "gap at α = 10⁻³: 0.064 (d = 500), 0.289 (d = 1000), 0.764 (d = 2000)", source: LOG(2000) },
      check: Object.assign((r: ResultSet) => {
        const ds = r.levels("d"), aMax = (r.levels("alpha") as number[]).at(-1)!;
        const c = pairedComparison(pair(gaps(r, ds.at(-1), aMax), gaps(r, ds[0], aMax)), { better: "higher" });
        return verdict(
          c.pass,
          `gap at α = ${aMax}: d=${ds[0]}: ${fmt(c.baseline)}, d=${ds.at(-1)}: ${fmt(c.method)}; ${c.text}`,
        );
      }, { metrics: ["excess_risk"] }),
    },
  ],
  figures: [
    {
      id: "risk-vs-alpha",
      title: "Excess risk against first-layer init scale α",
      mirrors: "Figure 1 (official figures/scaling_alpha.png)",
      spec: lineChart({
        metric: "excess_risk",
        where: "datum.step == null && datum.method == 'deep_linear'",
        x: "alpha",
        xTitle: "α (std of first layer at init)",
        yTitle: "excess risk",
        zeroY: true,
        color: "d",
      }),
    },
  ],
  tables: [
    {
      id: "risk",
      title: "Excess risk of the net and the min-norm interpolant",
      metrics: ["excess_risk", "dist_to_min_norm", "epochs"],
      by: ["d", "alpha"],
    },
  ],
  paperNumbers: [
    { method: "deep_linear", metric: "excess_risk", value: 1.0556, where: { d: 500, alpha: 0 }, source: LOG(500) },
    { method: "deep_linear", metric: "excess_risk", value: 1.1663, where: { d: 500, alpha: 0.001 }, source: LOG(500) },
    { method: "deep_linear", metric: "excess_risk", value: 0.6226, where: { d: 1000, alpha: 0 }, source: LOG(1000) },
    {
      method: "deep_linear",
      metric: "excess_risk",
      value: 0.9063,
      where: { d: 1000, alpha: 0.001 },
      source: LOG(1000),
    },
    { method: "deep_linear", metric: "excess_risk", value: 0.393, where: { d: 2000, alpha: 0 }, source: LOG(2000) },
    { method: "deep_linear", metric: "excess_risk", value: 1.148, where: { d: 2000, alpha: 0.001 }, source: LOG(2000) },
  ],
});
