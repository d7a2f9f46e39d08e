/**
 * Two classic-control tasks, batched over a population (one state row per member), with the dynamics of
 * Gymnasium's CartPole-v1 and Pendulum-v1 (gymnasium/envs/classic_control/{cartpole,pendulum}.py; gymnax ports
 * the same equations).
 *
 * - CartPole-v1: state (x, ẋ, θ, θ̇) uniform in ±0.05; g = 9.8, cart 1.0 kg, pole 0.1 kg, half-length 0.5 m,
 *   force ±10 N, τ = 0.02 s, explicit Euler; the episode ends when |x| > 2.4 or |θ| > 12° or after 500 steps;
 *   reward 1 per step (the step that ends it included). Two discrete actions: the policy's larger output.
 * - Pendulum-v1: θ uniform in [−π, π], θ̇ in [−1, 1]; g = 10, m = l = 1, dt = 0.05, |θ̇| ≤ 8, torque in [−2, 2];
 *   reward −(angle(θ)² + 0.1·θ̇² + 0.001·u²); 200 steps; observation (cos θ, sin θ, θ̇). The policy's output
 *   is squashed by 2·tanh.
 */
import type { Rng } from "../../lib/math/rng.ts";

export interface Env {
  name: string;
  obsDim: number;
  actDim: number;
  maxSteps: number;
  /** Fill `state` (pop × stateDim) with initial states. */
  reset(rng: Rng, pop: number): Float64Array;
  /** Write observations of the live members into obs (pop × obsDim). */
  observe(state: Float64Array, obs: Float64Array, pop: number): void;
  /** Advance member i by the policy's raw output `out[i*actDim...]`; return its reward and whether it ended. */
  step(state: Float64Array, i: number, out: Float64Array): { reward: number; done: boolean };
}

const CP = { g: 9.8, mc: 1.0, mp: 0.1, l: 0.5, force: 10, tau: 0.02, xMax: 2.4, thMax: (12 * 2 * Math.PI) / 360 };

export const cartpole: Env = {
  name: "cartpole",
  obsDim: 4,
  actDim: 2,
  maxSteps: 500,
  reset(rng, pop) {
    const s = new Float64Array(pop * 4);
    for (let i = 0; i < s.length; i++) s[i] = (rng.uniform() * 2 - 1) * 0.05;
    return s;
  },
  observe(state, obs, pop) {
    obs.set(state.subarray(0, pop * 4));
  },
  step(s, i, out) {
    const o = i * 4;
    const x = s[o], xd = s[o + 1], th = s[o + 2], thd = s[o + 3];
    const f = out[i * 2 + 1] > out[i * 2] ? CP.force : -CP.force;
    const ct = Math.cos(th), st = Math.sin(th), total = CP.mc + CP.mp, pml = CP.mp * CP.l;
    const temp = (f + pml * thd * thd * st) / total;
    const thacc = (CP.g * st - ct * temp) / (CP.l * (4 / 3 - (CP.mp * ct * ct) / total));
    const xacc = temp - (pml * thacc * ct) / total;
    s[o] = x + CP.tau * xd;
    s[o + 1] = xd + CP.tau * xacc;
    s[o + 2] = th + CP.tau * thd;
    s[o + 3] = thd + CP.tau * thacc;
    const done = Math.abs(s[o]) > CP.xMax || Math.abs(s[o + 2]) > CP.thMax;
    return { reward: 1, done };
  },
};

const angleNormalize = (t: number) => ((((t + Math.PI) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) - Math.PI;

export const pendulum: Env = {
  name: "pendulum",
  obsDim: 3,
  actDim: 1,
  maxSteps: 200,
  reset(rng, pop) {
    const s = new Float64Array(pop * 2);
    for (let i = 0; i < pop; i++) {
      s[2 * i] = (rng.uniform() * 2 - 1) * Math.PI;
      s[2 * i + 1] = rng.uniform() * 2 - 1;
    }
    return s;
  },
  observe(state, obs, pop) {
    for (let i = 0; i < pop; i++) {
      obs[3 * i] = Math.cos(state[2 * i]);
      obs[3 * i + 1] = Math.sin(state[2 * i]);
      obs[3 * i + 2] = state[2 * i + 1];
    }
  },
  step(s, i, out) {
    const th = s[2 * i], thd = s[2 * i + 1];
    const u = 2 * Math.tanh(out[i]);
    const cost = angleNormalize(th) ** 2 + 0.1 * thd * thd + 0.001 * u * u;
    let nthd = thd + (3 * 10 / 2 * Math.sin(th) + 3 * u) * 0.05;
    nthd = Math.min(8, Math.max(-8, nthd));
    s[2 * i] = th + nthd * 0.05;
    s[2 * i + 1] = nthd;
    return { reward: -cost, done: false };
  },
};

export const ENVS: Record<string, Env> = { cartpole, pendulum };
