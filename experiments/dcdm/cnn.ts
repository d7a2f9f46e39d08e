/**
 * The DCDM network in 2D and its unsupervised loss, with hand-written backpropagation (plain Float64Array loops).
 *
 * Architecture (Kaneda et al. 2023, Sec. 3.4; official `src/train.py`, the N = 64 model, with every 3×3×3 Conv3D
 * made a 3×3 Conv2D): a linear 3×3 conv to F channels; two ReLU residual pairs at full resolution; 2×2 average
 * pooling; three ReLU residual pairs at half resolution; nearest 2× upsampling plus a skip from the full-resolution
 * branch; two ReLU residual pairs; a linear 1×1 "Dense(1)". 15 3×3 convs with biases, zero ("same") padding,
 * Glorot-uniform kernels and zero biases (Keras' defaults).
 *
 * Loss (train.py `custom_loss_function_cnn_1d_fast`; paper Sec. 3.3): for a right-hand side b and q = f(b), the
 * best multiple of q is x = q·(qᵀb)/(qᵀAq), and L(b) = ‖b − A x‖², invariant to the scale of q.
 */
import { type StencilMatrix } from "../../lib/math/solvers/mod.ts";

/** A C×H×W activation and its gradient. */
interface T {
  c: number;
  h: number;
  w: number;
  v: Float64Array;
  g: Float64Array;
}

const tensor = (c: number, h: number, w: number): T => ({
  c,
  h,
  w,
  v: new Float64Array(c * h * w),
  g: new Float64Array(c * h * w),
});

/** Layer names in forward order. */
export const CONVS = ["first", "f1", "f2", "f3", "f4", "c1", "c2", "c3", "c4", "c5", "c6", "u1", "u2", "u3", "u4"];

/** All weights as one flat vector, with named views: `<name>.k` (F_out·F_in·ksize²) and `<name>.b`. */
export interface Net {
  filters: number;
  theta: Float64Array;
  layout: Record<string, { off: number; size: number }>;
}

export function layout(F: number): { layout: Net["layout"]; size: number } {
  const out: Net["layout"] = {};
  let off = 0;
  const add = (name: string, size: number) => {
    out[name] = { off, size };
    off += size;
  };
  for (const c of CONVS) {
    add(`${c}.k`, F * (c === "first" ? 1 : F) * 9);
    add(`${c}.b`, F);
  }
  add("last.k", F);
  add("last.b", 1);
  return { layout: out, size: off };
}

/** Glorot-uniform kernels (limit √(6/(fan_in + fan_out))), zero biases. */
export function initNet(F: number, uniform: () => number): Net {
  const { layout: lay, size } = layout(F), theta = new Float64Array(size);
  for (const c of [...CONVS, "last"]) {
    const { off, size: n } = lay[`${c}.k`];
    const rf = c === "last" ? 1 : 9, fin = (c === "first" ? 1 : F) * rf, fout = (c === "last" ? 1 : F) * rf;
    const lim = Math.sqrt(6 / (fin + fout));
    for (let i = 0; i < n; i++) theta[off + i] = (2 * uniform() - 1) * lim;
  }
  return { filters: F, theta, layout: lay };
}

/** Forward pass recording a tape of backward closures (gradients go to `grad`, laid out like theta). */
class Tape {
  steps: (() => void)[] = [];
  constructor(readonly net: Net, readonly grad: Float64Array | null) {}

  /** 3×3 conv, zero padding: y[o] = b[o] + Σ_c Σ_(di,dj) K[o,c,di,dj] x[c, i+di−1, j+dj−1]. */
  conv3(x: T, name: string, cout: number): T {
    const { theta } = this.net, K = this.net.layout[`${name}.k`].off, B = this.net.layout[`${name}.b`].off;
    const { c: cin, h: H, w: W } = x, y = tensor(cout, H, W), hw = H * W;
    for (let o = 0; o < cout; o++) {
      const yo = o * hw;
      y.v.fill(theta[B + o], yo, yo + hw);
      for (let c = 0; c < cin; c++) {
        const xc = c * hw;
        for (let di = 0; di < 3; di++) {
          for (let dj = 0; dj < 3; dj++) {
            const k = theta[K + ((o * cin + c) * 3 + di) * 3 + dj];
            const i0 = Math.max(0, 1 - di), i1 = Math.min(H, H + 1 - di);
            const j0 = Math.max(0, 1 - dj), j1 = Math.min(W, W + 1 - dj), sh = (di - 1) * W + dj - 1;
            for (let i = i0; i < i1; i++) {
              const r = yo + i * W, s = xc + i * W + sh;
              for (let j = j0; j < j1; j++) y.v[r + j] += k * x.v[s + j];
            }
          }
        }
      }
    }
    const grad = this.grad;
    if (grad) {
      this.steps.push(() => {
        for (let o = 0; o < cout; o++) {
          const yo = o * hw;
          let gb = 0;
          for (let p = 0; p < hw; p++) gb += y.g[yo + p];
          grad[B + o] += gb;
          for (let c = 0; c < cin; c++) {
            const xc = c * hw;
            for (let di = 0; di < 3; di++) {
              for (let dj = 0; dj < 3; dj++) {
                const ki = K + ((o * cin + c) * 3 + di) * 3 + dj, k = theta[ki];
                const i0 = Math.max(0, 1 - di), i1 = Math.min(H, H + 1 - di);
                const j0 = Math.max(0, 1 - dj), j1 = Math.min(W, W + 1 - dj), sh = (di - 1) * W + dj - 1;
                let gk = 0;
                for (let i = i0; i < i1; i++) {
                  const r = yo + i * W, s = xc + i * W + sh;
                  for (let j = j0; j < j1; j++) {
                    gk += y.g[r + j] * x.v[s + j];
                    x.g[s + j] += k * y.g[r + j];
                  }
                }
                grad[ki] += gk;
              }
            }
          }
        }
      });
    }
    return y;
  }

  /** 1×1 conv to one channel (the final Dense(1)). */
  conv1(x: T, name: string): T {
    const { theta } = this.net, K = this.net.layout[`${name}.k`].off, B = this.net.layout[`${name}.b`].off;
    const hw = x.h * x.w, y = tensor(1, x.h, x.w);
    y.v.fill(theta[B]);
    for (let c = 0; c < x.c; c++) for (let p = 0; p < hw; p++) y.v[p] += theta[K + c] * x.v[c * hw + p];
    const grad = this.grad;
    if (grad) {
      this.steps.push(() => {
        for (let p = 0; p < hw; p++) grad[B] += y.g[p];
        for (let c = 0; c < x.c; c++) {
          let gk = 0;
          for (let p = 0; p < hw; p++) {
            gk += y.g[p] * x.v[c * hw + p];
            x.g[c * hw + p] += theta[K + c] * y.g[p];
          }
          grad[K + c] += gk;
        }
      });
    }
    return y;
  }

  relu(x: T): T {
    const y = tensor(x.c, x.h, x.w);
    for (let i = 0; i < x.v.length; i++) y.v[i] = x.v[i] > 0 ? x.v[i] : 0;
    if (this.grad) {
      this.steps.push(() => {
        for (let i = 0; i < x.v.length; i++) if (x.v[i] > 0) x.g[i] += y.g[i];
      });
    }
    return y;
  }

  add(a: T, b: T): T {
    const y = tensor(a.c, a.h, a.w);
    for (let i = 0; i < a.v.length; i++) y.v[i] = a.v[i] + b.v[i];
    if (this.grad) {
      this.steps.push(() => {
        for (let i = 0; i < a.v.length; i++) {
          a.g[i] += y.g[i];
          b.g[i] += y.g[i];
        }
      });
    }
    return y;
  }

  /** 2×2 average pooling ("same" padding: an odd last row/column averages over what is there, as Keras). */
  pool(x: T): T {
    const h = Math.ceil(x.h / 2), w = Math.ceil(x.w / 2), y = tensor(x.c, h, w);
    const cells = (f: (c: number, i: number, j: number, src: number, cnt: number) => void) => {
      for (let c = 0; c < x.c; c++) {
        for (let i = 0; i < h; i++) {
          for (let j = 0; j < w; j++) {
            const ni = Math.min(2, x.h - 2 * i), nj = Math.min(2, x.w - 2 * j), cnt = ni * nj;
            for (let a = 0; a < ni; a++) {
              for (let b = 0; b < nj; b++) f(c, i, j, (c * x.h + 2 * i + a) * x.w + 2 * j + b, cnt);
            }
          }
        }
      }
    };
    cells((c, i, j, src, cnt) => (y.v[(c * h + i) * w + j] += x.v[src] / cnt));
    if (this.grad) this.steps.push(() => cells((c, i, j, src, cnt) => (x.g[src] += y.g[(c * h + i) * w + j] / cnt)));
    return y;
  }

  /** Nearest-neighbour 2× upsampling, cropped to (H, W). */
  up(x: T, H: number, W: number): T {
    const y = tensor(x.c, H, W);
    const idx = (c: number, i: number, j: number) => (c * x.h + (i >> 1)) * x.w + (j >> 1);
    for (let c = 0; c < x.c; c++) {
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) {
          y.v[(c * H + i) * W + j] = x.v[idx(c, i, j)];
        }
      }
    }
    if (this.grad) {
      this.steps.push(() => {
        for (let c = 0; c < x.c; c++) {
          for (let i = 0; i < H; i++) {
            for (let j = 0; j < W; j++) {
              x.g[idx(c, i, j)] += y.g[(c * H + i) * W + j];
            }
          }
        }
      });
    }
    return y;
  }

  backward(): void {
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]();
  }
}

/** q = f(b) on an m×m grid (see the file header for the layers). */
function forward(tape: Tape, b: T): T {
  const F = tape.net.filters, m = b.h;
  const first = tape.conv3(b, "first", F); // linear
  let la = tape.relu(tape.conv3(first, "f1", F));
  let lb = tape.relu(tape.conv3(la, "f2", F));
  la = tape.add(tape.relu(tape.conv3(lb, "f3", F)), la);
  lb = tape.relu(tape.conv3(la, "f4", F));
  let apa = tape.pool(lb);
  for (const [c1, c2] of [["c1", "c2"], ["c3", "c4"], ["c5", "c6"]]) {
    const apb = tape.relu(tape.conv3(apa, c1, F));
    apa = tape.add(tape.relu(tape.conv3(apb, c2, F)), apa);
  }
  let upa = tape.add(tape.up(apa, m, m), lb);
  for (const [c1, c2] of [["u1", "u2"], ["u3", "u4"]]) {
    const upb = tape.relu(tape.conv3(upa, c1, F));
    upa = tape.add(tape.relu(tape.conv3(upb, c2, F)), upa);
  }
  return tape.conv1(upa, "last");
}

/** The network's direction q = f(r) for a residual r of length m² (no gradient). */
export function predict(net: Net, r: Float64Array, m: number): Float64Array {
  const b = tensor(1, m, m);
  b.v.set(r);
  return forward(new Tape(net, null), b).v;
}

/**
 * The DCDM loss of one right-hand side, L = ‖b − A q α‖² with α = (qᵀb)/(qᵀAq), and (if `grad` is given) its
 * gradient with respect to the weights added into `grad`. With s = qᵀb, t = qᵀAq, res = b − α Aq:
 * ∂L/∂q = −2(resᵀAq)(b − 2α Aq)/t − 2α A res (A symmetric).
 */
export function lossAndGrad(net: Net, A: StencilMatrix, b: Float64Array, grad: Float64Array | null): number {
  const tape = new Tape(net, grad), x = tensor(1, A.m, A.m);
  x.v.set(b);
  const q = forward(tape, x), n = A.n;
  const aq = new Float64Array(n);
  A.apply(q.v, aq);
  let s = 0, t = 0;
  for (let i = 0; i < n; i++) {
    s += q.v[i] * b[i];
    t += q.v[i] * aq[i];
  }
  const alpha = s / t, res = new Float64Array(n);
  let loss = 0, resAq = 0;
  for (let i = 0; i < n; i++) {
    res[i] = b[i] - alpha * aq[i];
    loss += res[i] * res[i];
    resAq += res[i] * aq[i];
  }
  if (grad) {
    const ares = new Float64Array(n);
    A.apply(res, ares);
    for (let i = 0; i < n; i++) q.g[i] = (-2 * resAq * (b[i] - 2 * alpha * aq[i])) / t - 2 * alpha * ares[i];
    tape.backward();
  }
  return loss;
}
