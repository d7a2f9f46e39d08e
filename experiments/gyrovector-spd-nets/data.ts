/**
 * Synthetic SPD classification sets (the paper's HDM05/FPHA/NTU60 skeleton data are not available offline):
 *
 * - `wishart`: class c has a mean M_c = exp(sep·S_c), S_c symmetric with N(0, 1/d) entries; a sample is
 *   M_c^{1/2} (Wishart(df, I)/df) M_c^{1/2}, so classes differ by their affine-invariant centre and the
 *   within-class spread shrinks as df grows.
 * - `trajectory`: covariance descriptors of synthetic "skeleton" trajectories (as the paper's action-recognition
 *   inputs are covariances of joint coordinates over frames): x_t = A_c s_t + σ ε_t for t = 1..T, with q latent
 *   sinusoids s_t of random phase and amplitude, a class mixing A_c = A_0 + sep·B_c (d×q), and white noise;
 *   the descriptor is the frame covariance plus 1e-3·I.
 */
import { matmulSmall } from "../../lib/math/linalg/mat_small.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { wishart } from "../../lib/math/spd/mod.ts";
import { EXP, matFn } from "./spdnn.ts";

export interface SpdSet {
  x: Float64Array[];
  y: Int32Array;
}

export interface SpdData {
  d: number;
  classes: number;
  train: SpdSet;
  val: SpdSet;
  test: SpdSet;
}

function randSym(rng: Rng, d: number, scale: number): Float64Array {
  const a = rng.normal(d * d), s = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s[i * d + j] = (scale * (a[i * d + j] + a[j * d + i])) / 2;
  return s;
}

export function makeData(
  o: {
    kind: "wishart" | "trajectory";
    d: number;
    classes: number;
    sep: number;
    df: number;
    frames: number;
    noise: number;
    nTrain: number;
    nVal: number;
    nTest: number;
  },
  rng: Rng,
): SpdData {
  const { d, classes } = o;
  const per = o.nTrain + o.nVal + o.nTest;
  const all: { x: Float64Array; y: number }[] = [];
  if (o.kind === "wishart") {
    for (let c = 0; c < classes; c++) {
      const half = matFn(randSym(rng, d, o.sep / Math.sqrt(d)).map((v) => v / 2), d, EXP).out; // M_c^{1/2}
      for (const w of wishart(rng, { d, df: o.df, n: per })) {
        const x = matmulSmall(matmulSmall(half, w.data.map((v) => v / o.df), d, d, d), half, d, d, d);
        all.push({ x, y: c });
      }
    }
  } else {
    const q = 3, T = o.frames;
    const a0 = rng.normal(d * q);
    const freqs = Array.from({ length: q }, (_, j) => 0.05 + 0.1 * j);
    for (let c = 0; c < classes; c++) {
      const bc = rng.normal(d * q);
      const A = a0.map((v, i) => v + o.sep * bc[i]);
      for (let s = 0; s < per; s++) {
        const phase = Array.from({ length: q }, () => 2 * Math.PI * rng.uniform());
        const amp = Array.from({ length: q }, () => 0.5 + rng.uniform());
        const X = new Float64Array(T * d);
        for (let t = 0; t < T; t++) {
          for (let i = 0; i < d; i++) {
            let v = o.noise * rng.normal();
            for (let j = 0; j < q; j++) v += A[i * q + j] * amp[j] * Math.sin(2 * Math.PI * freqs[j] * t + phase[j]);
            X[t * d + i] = v;
          }
        }
        const mu = new Float64Array(d);
        for (let t = 0; t < T; t++) for (let i = 0; i < d; i++) mu[i] += X[t * d + i] / T;
        const C = new Float64Array(d * d);
        for (let t = 0; t < T; t++) {
          for (let i = 0; i < d; i++) {
            const xi = X[t * d + i] - mu[i];
            for (let j = 0; j <= i; j++) C[i * d + j] += (xi * (X[t * d + j] - mu[j])) / (T - 1);
          }
        }
        for (let i = 0; i < d; i++) {
          C[i * d + i] += 1e-3;
          for (let j = 0; j < i; j++) C[j * d + i] = C[i * d + j];
        }
        all.push({ x: C, y: c });
      }
    }
  }
  // Split each class into train / val / test in order of generation (samples are i.i.d. within a class).
  const pick = (lo: number, hi: number): SpdSet => {
    const sel = all.filter((_, i) => (i % per) >= lo && (i % per) < hi);
    return { x: sel.map((s) => s.x), y: Int32Array.from(sel.map((s) => s.y)) };
  };
  return {
    d,
    classes,
    train: pick(0, o.nTrain),
    val: pick(o.nTrain, o.nTrain + o.nVal),
    test: pick(o.nTrain + o.nVal, per),
  };
}
