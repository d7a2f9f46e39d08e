/**
 * The unstacked DeepONet as one layer of the training kit (lib/math/nn), the FNN baseline, and the tuning rule both
 * share.
 *
 * DeepONet (the abstract's branch/trunk design, as deepxde 0.11 `maps/opnn.py` `OpNN(stacked=False)` builds it): a
 * per-sample input [u(x_1) … u(x_m), y] is split into the sensor values u and the location y;
 *   branch b(u) = W_b2·σ(W_b1·u + c_b1) + c_b2            (m → w → p, last layer linear),
 *   trunk  t(y) = σ(W_t2·σ(W_t1·y + c_t1) + c_t2)         (d → w → p, every layer activated),
 *   G(u)(y) ≈ Σ_k b_k(u)·t_k(y) + b₀,
 * with σ = ReLU and Glorot-normal weights (the official `deeponet_pde.py`: [m, 40, 40] and [d, 40, 40]).
 * Gradients: ∂L/∂b_k = ∂L/∂G·t_k, ∂L/∂t_k = ∂L/∂G·b_k, ∂L/∂b₀ = Σ ∂L/∂G, then each tower backpropagates alone.
 *
 * FNN baseline (the official `nn = "fnn"`): [m + d, 100, 100, 1] ReLU, Glorot normal, on the concatenated input.
 */
import { Adam, cosine, Dense, ReLU, Sequential, train } from "../../lib/math/nn/mod.ts";
import type { Arr } from "../../lib/math/nn/gemm.ts";
import { type Ctx, type Layer, Scratch } from "../../lib/math/nn/layer.ts";
import type { DType, Param, ParamSpec } from "../../lib/math/nn/params.ts";
import type { Rng } from "../../lib/math/rng.ts";
import type { OperatorData } from "./operators.ts";

/** Branch and trunk towers joined by a dot product plus a bias. */
export class UnstackedDeepONet implements Layer {
  readonly label: string;
  readonly branch: Layer[];
  readonly trunk: Layer[];
  #m = 0;
  #b0!: Param;
  #u = new Scratch();
  #y = new Scratch();
  #out = new Scratch();
  #db = new Scratch();
  #dt = new Scratch();
  #dx = new Scratch();
  #bo: Arr | null = null;
  #to: Arr | null = null;
  #sizes: number[] = [];

  constructor(readonly yDim: number, readonly width: number, readonly p: number) {
    const init = { init: "glorotNormal" as const };
    this.branch = [new Dense(width, init), new ReLU(), new Dense(p, init)];
    this.trunk = [new Dense(width, init), new ReLU(), new Dense(p, init), new ReLU()];
    this.label = `deeponet (branch m→${width}→${p}, trunk ${yDim}→${width}→${p})`;
  }

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    const m = (this.#m = inShape.reduce((a, b) => a * b, 1) - this.yDim);
    if (m < 1) throw new Error(`deeponet: input of ${m + this.yDim} values leaves no sensors`);
    const params: ParamSpec[] = [];
    this.#sizes = [];
    // Names carry no dots: Sequential seeds each parameter by its name after the layer index.
    const tower = (layers: Layer[], tag: string, d: number) => {
      let shape = [d];
      layers.forEach((l, i) => {
        const b = l.build(shape);
        for (const s of b.params) params.push({ ...s, name: `${tag}${i}_${s.name}` });
        this.#sizes.push(b.params.length);
        shape = b.outShape;
      });
    };
    tower(this.branch, "branch", m);
    tower(this.trunk, "trunk", this.yDim);
    params.push({ name: "b0", shape: [1], init: "zeros", fanIn: 1, fanOut: 1 });
    return { outShape: [1], params };
  }

  bind(params: Param[]): void {
    let at = 0;
    [...this.branch, ...this.trunk].forEach((l, i) => {
      l.bind(params.slice(at, at + this.#sizes[i]));
      at += this.#sizes[i];
    });
    this.#b0 = params[at];
  }

  forward(x: Arr, batch: number, ctx: Ctx, train: boolean): Arr {
    const m = this.#m, d = this.yDim, w = m + d, u = this.#u.get(batch * m, ctx.dtype);
    const y = this.#y.get(batch * d, ctx.dtype);
    for (let i = 0; i < batch; i++) {
      for (let j = 0; j < m; j++) u[i * m + j] = x[i * w + j];
      for (let j = 0; j < d; j++) y[i * d + j] = x[i * w + m + j];
    }
    let b: Arr = u, t: Arr = y;
    for (const l of this.branch) b = l.forward(b, batch, ctx, train);
    for (const l of this.trunk) t = l.forward(t, batch, ctx, train);
    this.#bo = b;
    this.#to = t;
    const p = this.p, out = this.#out.get(batch, ctx.dtype), b0 = this.#b0.value[0];
    for (let i = 0; i < batch; i++) {
      let s = b0;
      for (let k = 0; k < p; k++) s += b[i * p + k] * t[i * p + k];
      out[i] = s;
    }
    return out;
  }

  backward(dOut: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    const p = this.p, b = this.#bo!, t = this.#to!;
    const db = this.#db.get(batch * p, ctx.dtype), dt = this.#dt.get(batch * p, ctx.dtype);
    let g0 = 0;
    for (let i = 0; i < batch; i++) {
      const gi = dOut[i];
      g0 += gi;
      for (let k = 0; k < p; k++) {
        db[i * p + k] = gi * t[i * p + k];
        dt[i * p + k] = gi * b[i * p + k];
      }
    }
    this.#b0.grad[0] += g0;
    const back = (layers: Layer[], g: Arr): Arr | null => {
      let h: Arr | null = g;
      for (let i = layers.length - 1; i >= 0 && h; i--) h = layers[i].backward(h, batch, ctx, needDx || i > 0);
      return h;
    };
    const du = back(this.branch, db), dy = back(this.trunk, dt);
    if (!needDx) return null;
    const m = this.#m, d = this.yDim, w = m + d, dx = this.#dx.get(batch * w, ctx.dtype);
    for (let i = 0; i < batch; i++) {
      for (let j = 0; j < m; j++) dx[i * w + j] = du![i * m + j];
      for (let j = 0; j < d; j++) dx[i * w + m + j] = dy![i * d + j];
    }
    return dx;
  }
}

/** The two learners compared. */
export type Net = "deeponet" | "fnn";

/** Builds a learner for inputs of m sensors and a d-dimensional location. */
export function buildNet(
  net: Net,
  m: number,
  d: number,
  o: { width: number; p: number; fnnWidth: number; rng: Rng; dtype?: DType },
): Sequential {
  const layers: Layer[] = net === "deeponet" ? [new UnstackedDeepONet(d, o.width, o.p)] : [
    new Dense(o.fnnWidth, { init: "glorotNormal" }),
    new ReLU(),
    new Dense(o.fnnWidth, { init: "glorotNormal" }),
    new ReLU(),
    new Dense(1, { init: "glorotNormal" }),
  ];
  return new Sequential(layers, [m + d], { rng: o.rng, dtype: o.dtype });
}

/** Mean squared error of a model's predictions on a data set. */
export function mseOn(model: Sequential, data: OperatorData): number {
  return model.loss(data.x, data.y, data.n, "mse", 2048);
}

/** A chosen fit: its errors and the learning rate that won. */
export interface Fit {
  lr: number;
  trainMse: number;
  valMse: number;
  testMse: number;
  params: number;
}

/** Options of {@link fitOperator}. */
export interface FitOpts {
  m: number;
  d: number;
  width: number;
  p: number;
  fnnWidth: number;
  steps: number;
  batch: number;
  lrs: readonly number[];
  dtype?: DType;
}

/**
 * The shared tuning rule: for each learning rate, Adam with cosine decay to 0 over `steps` minibatch steps (batch
 * `batch`, shuffled epochs, MSE loss); keep the lr with the lowest MSE on the validation functions (first best in
 * grid order) and report that fit's test MSE.
 */
export function fitOperator(
  net: Net,
  data: { train: OperatorData; val: OperatorData; test: OperatorData },
  o: FitOpts,
  rng: Rng,
): Fit {
  let best: Fit | null = null;
  for (const lr of o.lrs) {
    const r = rng.split(`lr ${lr}`);
    const model = buildNet(net, o.m, o.d, {
      width: o.width,
      p: o.p,
      fnnWidth: o.fnnWidth,
      rng: r.split("init"),
      dtype: o.dtype,
    });
    const batch = Math.min(o.batch, data.train.n);
    const epochs = Math.ceil((o.steps * batch) / data.train.n);
    const perEpoch = Math.ceil(data.train.n / batch);
    train({
      model,
      optimizer: new Adam({ lr: cosine(lr, epochs * perEpoch) }),
      x: data.train.x,
      y: data.train.y,
      n: data.train.n,
      batchSize: batch,
      epochs,
      rng: r.split("order"),
      loss: "mse",
    });
    const valMse = mseOn(model, data.val);
    if (!best || valMse < best.valMse) {
      best = {
        lr,
        valMse,
        trainMse: mseOn(model, data.train),
        testMse: mseOn(model, data.test),
        params: model.store.size,
      };
    }
  }
  return best!;
}
