/**
 * Tsallis-INF over a finite grid of SOR parameters, fed only the cost (iteration count) of the chosen ω
 * (Zimmert & Seldin 2021, 1/2-Tsallis entropy; Khodak et al. 2024, Sec. 3). Follows the official
 * `learners/TsallisINF.m` of mkhodak/learning-to-relax line by line:
 * - η_t = 2/√t; the weights are p_i = 4 (η (K_i/s − x))⁻² with x found by 20 Newton steps from x = −1 so that
 *   Σ p_i = 1 (K_i: importance-weighted cumulative loss of arm i; s: the running mean cost minus 1, a scale);
 * - the arm is drawn ∝ p (uniformly if p is not a distribution);
 * - after observing cost ℓ: s ← mean(costs so far) − 1, K_i ← K_i + (ℓ − 1)/p_i for the played arm.
 */
import type { Rng } from "../../lib/math/rng.ts";

export class TsallisInf {
  readonly k: Float64Array;
  t = 1;
  scale = 1;
  #sum = 0;
  index = 0;
  prob = 1;

  constructor(readonly grid: readonly number[], readonly rng: Rng) {
    this.k = new Float64Array(grid.length);
  }

  /** The arm weights at the current round (a distribution up to Newton's tolerance). */
  probabilities(): Float64Array {
    const eta = 2 / Math.sqrt(this.t), d = this.k.length, p = new Float64Array(d);
    let x = -1;
    for (let it = 0; it < 20; it++) {
      let s = 0, s15 = 0;
      for (let i = 0; i < d; i++) {
        p[i] = 4 * (eta * (this.k[i] / this.scale - x)) ** -2;
        s += p[i];
        s15 += p[i] ** 1.5;
      }
      x -= (s - 1) / (eta * s15);
    }
    return p;
  }

  /** Draw ω for this round. */
  predict(): number {
    const p = this.probabilities(), d = p.length;
    let total = 0, ok = true;
    for (const v of p) {
      if (!(v >= 0) || !Number.isFinite(v)) ok = false;
      total += v;
    }
    if (!ok || !(total > 0)) {
      this.index = this.rng.int(d);
      this.prob = 1 / d;
    } else {
      let u = this.rng.uniform() * total, i = 0;
      while (i < d - 1 && u >= p[i]) u -= p[i++];
      this.index = i;
      this.prob = p[i]; // as in the repo: the weight from the Newton solve
    }
    return this.grid[this.index];
  }

  update(loss: number): void {
    this.#sum += loss;
    this.scale = this.#sum / this.t - 1;
    this.k[this.index] += (loss - 1) / this.prob;
    this.t++;
  }
}
