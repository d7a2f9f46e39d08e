/**
 * Continual Evaluation for Lifelong Learning: Identifying the Stability Gap (Matthias De Lange, Gido M. van de Ven,
 * Tinne Tuytelaars, 2023): the module's declaration. Evaluating a continual learner at every iteration, not just at
 * task ends, shows that experience replay (and other CL methods) lose accuracy on old tasks sharply right after a
 * task switch and then recover: the stability gap. Config, scales, methods, metrics, claims and figures below;
 * deviations from the paper in `deviations`, the algorithms in this folder's other files, what runs in README.md.
 */
import { z } from "zod";
import { count, intBetween, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, reported, tol } from "../../lib/experiment.ts";
import { barChart, lineChart } from "../../lib/figures/mod.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { allOf, compare, fmt, threshold, verdict } from "../../lib/claims/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { loadMnist } from "../../datasets/mnist.ts";
import { accuracy, type Data, type Params, snapshot, splitTasks, trainSequence } from "./cl.ts";
import { finalAcc, meanGap, minAcc, switchStats, type Trace } from "./gap.ts";

const la = getLinalg();
const ABSTRACT = { url: "https://openreview.net/forum?id=Zy350cRstc6", where: "abstract (ICLR 2023)" };
/** Thresholds fixed before any run. */
const SHARP_DROP = 0.2; // task-1 accuracy falls by at least 20 points during task 2 under ER
const EARLY = 0.25; // ... and bottoms out within the first quarter of task 2
const PARTIAL = 0.5; // ER then recovers at least half of the drop by the end of task 2
const NO_RECOVERY = 0.1; // fine-tuning recovers less than 10 points
const ER_BEATS_FT = 0.3; // at the end of task 2, ER holds task 1 at least 30 points above fine-tuning

const config = z.object({
  tasks: intBetween(2, 5, 5, "tasks the 10 digits are split into (2 or 5; 5 = Split-MNIST)"),
  nTrain: count(8000, "training digits (first rows of the canonical 10k MNIST)"),
  nTest: count(2000, "test digits (last rows of the canonical 10k MNIST)"),
  hidden: count(100, "hidden ReLU units of the one-hidden-layer MLP"),
  itersPerTask: count(200, "SGD steps on each task"),
  batch: count(32, "current-task minibatch size (ER adds as many from memory)"),
  lr: positive(0.2, "SGD step size"),
  memory: count(200, "ER memory size (digits), class-balanced over seen classes"),
  evalEvery: count(2, "evaluate every this many SGD steps (1 = each one)"),
});
type Cfg = z.infer<typeof config>;
interface Out {
  steps: number[];
  snaps: Params[];
}

/** Per-task test accuracy of every snapshot: the continual-evaluation trace. */
function trace(data: Data, out: Out): Trace {
  return { steps: out.steps, acc: out.snaps.map((p) => data.test.map((s) => accuracy(la, p, s))) };
}

const run =
  (replay: boolean) => (data: Data, cfg: Cfg, ctx: { rng: Rng; observe: (s: number, st: unknown) => void }) => {
    const out: Out = { steps: [], snaps: [] };
    trainSequence(
      la,
      data,
      { ...cfg, itersPerTask: cfg.itersPerTask, evalEvery: cfg.evalEvery },
      replay,
      ctx.rng,
      (step, p, task) => {
        ctx.observe(step, { p, task });
        out.steps.push(step);
        out.snaps.push(snapshot(p));
      },
    );
    return out;
  };

/** Claims read 5-task Split-MNIST, the setting of the paper's Fig. 2 (run at every scale). */
const FIG2 = { tasks: 5 };

export default defineExperiment({
  id: "stability-gap",
  paper: {
    title: "Continual Evaluation for Lifelong Learning: Identifying the Stability Gap",
    authors: "Matthias De Lange, Gido M. van de Ven, Tinne Tuytelaars",
    year: 2023,
    arxiv: "2205.13452",
    venue: "ICLR 2023",
    code: "mattdl/ContinualEvaluation",
  },
  summary: "Evaluating a continual learner at every iteration, not just at task ends, shows that experience replay " +
    "(and other CL methods) lose accuracy on old tasks sharply right after a task switch and then recover: the " +
    "stability gap. We train a small MLP on class-incremental Split-MNIST (10k digits, 2 or 5 tasks) by fine-tuning " +
    "and by ER, record old-task test accuracy every few SGD steps, and check for the sharp early drop under ER, its " +
    "partial recovery, and its absence of recovery under fine-tuning.",
  config,
  scales: {
    smoke: {
      description: "5-task Split-MNIST on 2000/500 digits, 40 SGD steps per task, evaluated every 4 steps, 2 seeds.",
      seeds: 2,
      set: { tasks: 5, nTrain: 2000, nTest: 500, itersPerTask: 40, evalEvery: 4 },
      deviations: ["40 steps per task instead of full epochs; 2000 training / 500 test digits"],
    },
    paper: {
      description:
        "2- and 5-task Split-MNIST on 8000/2000 digits, 300 SGD steps per task, evaluated every step, 3 seeds.",
      seeds: 3,
      grid: { tasks: [2, 5] },
      set: { itersPerTask: 300, evalEvery: 1 },
      deviations: [
        "300 SGD steps per task (a few epochs of the 800-digit tasks) rather than the paper's schedule",
        "3 seeds (the earlier version planned 5; they did not fit the time budget on the shared machine)",
      ],
    },
  },
  deviations: [
    "MNIST: the 10k digits of datasets/mnist.ts (8000 train / 2000 test at paper scale), 2×2-pooled to 14×14, " +
    "not the 60k/10k MNIST at 28×28",
    "Model: one hidden layer of 100 ReLU units, plain SGD (lr 0.2, batch 32+32); the paper's exact MLP, optimizer, " +
    "memory size and schedule were not verified against its text or code within this module's budget",
    "Methods: fine-tuning and ER only; GEM/A-GEM, LwF, EWC/SI, the Rotated-MNIST task-dissimilarity study and the " +
    "gradient-decomposition analysis are left out",
    "Memory: class-balanced, refilled at each task end (ours); ER minibatch = current batch + equal-size memory batch",
    "Changed after a result: the first smoke run (seeds 0, 1; 60 steps per task) used SGD lr 0.05, a guess; with " +
    "it ER's task-1 drop was 1% and ER barely relearned later tasks within 60 steps, so lr was raised to 0.2 for " +
    "both methods. The lr was not tuned further. The change did not favour the paper's claims: at lr 0.2 the " +
    "task-1 drop is still well below the 20-point threshold. The partial-recovery check was tightened at the same " +
    "time (it now also requires the ≥ 20-point drop), since 'recovering 1% of a 1% drop' passed it vacuously; no " +
    "threshold was loosened.",
  ],
  data: async (cfg) => splitTasks(await loadMnist(cfg.nTrain + cfg.nTest), cfg.tasks, cfg.nTrain, cfg.nTest),
  dataKeys: ["tasks", "nTrain", "nTest"],
  methods: {
    finetune: {
      label: "Fine-tuning",
      description: "Plain SGD on the current task only (the paper's lower-bound baseline, Sec. 5).",
      run: run(false),
    },
    er: {
      label: "ER",
      description: "Experience replay: each minibatch concatenated with an equal-size batch from a class-balanced " +
        "memory of past tasks (the paper's ER baseline, Sec. 5 / Fig. 2).",
      run: run(true),
    },
  },
  // Every metric is the end of a float32 SGD path, which amplifies last-bit differences between BLAS kernels.
  metrics: {
    acc_task1: higher("task-1 test accuracy (per evaluation step)", tol.statistic()),
    acc_current: higher("current-task test accuracy (per evaluation step)", tol.statistic()),
    acc_seen: higher("mean accuracy over tasks seen so far (per evaluation step)", tol.statistic()),
    final_acc: higher("average accuracy over all tasks after the last task (end-of-sequence ACC)", tol.statistic()),
    min_acc: higher("min-ACC: mean over old tasks of their lowest accuracy after being learned", tol.statistic()),
    gap_t1: lower("task-1 accuracy at the switch minus its minimum during task 2", tol.statistic()),
    recovery_t1: higher("task-1 accuracy at the end of task 2 minus that minimum", tol.statistic()),
    min_step_t1: reported("steps into task 2 at which task-1 accuracy bottoms out", tol.statistic()),
    min_frac_t1: reported("min_step_t1 as a fraction of the steps of task 2", tol.statistic()),
    acc_t1_end2: higher("task-1 accuracy at the end of task 2", tol.statistic()),
    mean_gap: lower("stability gap averaged over every (old task, later task) pair", tol.statistic()),
  },
  observe: (data: Data, st: { p: Params; task: number }) => {
    const acc = data.test.slice(0, st.task + 1).map((s) => accuracy(la, st.p, s));
    return {
      acc_task1: acc[0],
      acc_current: acc[st.task],
      acc_seen: acc.reduce((a, b) => a + b, 0) / acc.length,
    };
  },
  measure: (data: Data, out: Out, cfg: Cfg) => {
    const tr = trace(data, out), I = cfg.itersPerTask, T = cfg.tasks;
    const s = switchStats(tr, I, 0, 1);
    return {
      final_acc: finalAcc(tr),
      min_acc: minAcc(tr, I, T),
      gap_t1: s.gap,
      recovery_t1: s.recovery,
      min_step_t1: s.minAfter,
      min_frac_t1: s.minAfter / I,
      acc_t1_end2: s.end,
      mean_gap: meanGap(tr, I, T),
    };
  },
  claims: [
    {
      id: "sharp-drop",
      kind: "paper",
      statement: "Under ER, accuracy on an old task drops substantially as soon as a new task starts (Fig. 2: the " +
        "task-1 curve right after the first switch). Checked on 5-task Split-MNIST, mean over seeds: task-1 " +
        `accuracy falls ≥ ${100 * SHARP_DROP} points during task 2, and bottoms out within the first ` +
        `${100 * EARLY}% of task 2's steps (thresholds fixed before any run).`,
      paper: { value: "'substantial forgetting upon starting to learn new tasks'", source: ABSTRACT },
      check: allOf(
        threshold({ metric: "gap_t1", method: "er", where: FIG2, above: SHARP_DROP, stat: "mean" }),
        threshold({ metric: "min_frac_t1", method: "er", where: FIG2, below: EARLY, stat: "mean" }),
      ),
    },
    {
      id: "partial-recovery",
      kind: "paper",
      statement: "The drop under ER is temporary: it is followed by a phase of performance recovery. Checked on " +
        `5-task Split-MNIST, means over seeds: the task-1 drop is ≥ ${100 * SHARP_DROP} points and by the end of ` +
        `task 2 ER regains at least ${100 * PARTIAL}% of it.`,
      paper: {
        value: "'this forgetting is temporary and followed by a phase of performance recovery'",
        source: ABSTRACT,
      },
      check: Object.assign((r: ResultSet) => {
        const gap = r.mean({ metric: "gap_t1", method: "er", where: FIG2 });
        const rec = r.mean({ metric: "recovery_t1", method: "er", where: FIG2 });
        return verdict(
          gap >= SHARP_DROP && rec >= PARTIAL * gap,
          `ER recovers ${fmt(rec)} of a ${fmt(gap)} task-1 drop (need drop ≥ ${SHARP_DROP} and recovery ≥ ` +
            `${PARTIAL}× drop)`,
        );
      }, { metrics: ["gap_t1", "recovery_t1"] }),
    },
    {
      id: "finetune-no-recovery",
      kind: "sanity",
      statement: "Our check of the baseline (catastrophic forgetting, as known): without replay the old task is " +
        `forgotten and does not come back. Fine-tuning's mean task-1 recovery during task 2 is < ${NO_RECOVERY}, ` +
        `and ER ends task 2 with task-1 accuracy more than ${ER_BEATS_FT} above fine-tuning (paired over seeds, ` +
        "beyond 2·SE).",
      check: allOf(
        threshold({ metric: "recovery_t1", method: "finetune", where: FIG2, below: NO_RECOVERY, stat: "mean" }),
        compare({
          metric: "acc_t1_end2",
          method: "er",
          baseline: "finetune",
          better: "higher",
          where: FIG2,
          margin: { abs: ER_BEATS_FT },
        }),
      ),
    },
  ],
  figures: [
    {
      id: "task1-curve",
      title: "Task-1 test accuracy at every evaluation step (task switches every itersPerTask steps)",
      mirrors: "Fig. 2 (per-iteration accuracy on the first task of Split-MNIST under ER)",
      spec: lineChart({ metric: "acc_task1", x: "step", column: "tasks", yTitle: "task-1 accuracy", band: true }),
    },
    {
      id: "seen-curve",
      title: "Mean accuracy over the tasks seen so far, per evaluation step",
      spec: lineChart({ metric: "acc_seen", x: "step", column: "tasks", yTitle: "mean accuracy (seen tasks)" }),
    },
    {
      id: "min-acc",
      title: "min-ACC (worst-case accuracy on old tasks) vs end-of-sequence ACC",
      mirrors: "the paper's min-ACC table (Split-MNIST row), fine-tuning and ER only",
      spec: barChart({ metric: "min_acc", column: "tasks", yTitle: "min-ACC" }),
    },
  ],
  tables: [
    {
      id: "continual-metrics",
      title: "Continual-evaluation metrics (mean ± 95% CI over seeds)",
      mirrors: "the paper's min-ACC / ACC table for Split-MNIST (fine-tuning and ER only; no paper numbers copied)",
      metrics: ["final_acc", "min_acc", "gap_t1", "recovery_t1", "min_step_t1", "mean_gap"],
      by: ["tasks"],
    },
  ],
  paperNumbers: [],
});
