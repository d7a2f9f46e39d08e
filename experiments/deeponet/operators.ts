/**
 * The operators G: u ↦ s of the official code (lululxvi/deeponet `src/deeponet_pde.py` `ode_system` / `dr_system`,
 * `src/system.py` `ODESystem` / `DRSystem`), solved here, and the operator data sets built from them.
 *
 * - antiderivative: s′(x) = u(x), s(0) = 0, x ∈ [0, 1];
 * - gravity pendulum: s₁′ = s₂, s₂′ = −k·sin s₁ + u(x), s(0) = 0, k = 1; the output is s₁;
 * - diffusion-reaction: s_t = D·s_xx + k·s² + u(x) on [0, 1] × [0, 1], zero boundary and initial values,
 *   D = k = 0.01.
 *
 * ODEs: classical RK4 with step h = 2/(nf − 1) on the GRF's fine grid (nf = 4(m − 1) + 1, so h is half a sensor gap
 * and the stages at t, t + h/2, t + h are grid points that need no interpolation), and s at any x by cubic Hermite interpolation of the nodal s
 * and s′ (both O(h⁴)). The official code calls scipy's RK45 per output point instead.
 *
 * Diffusion-reaction: the official `src/ADR_solver.py` scheme, re-derived: Crank–Nicolson in time with the reaction
 * linearised about the old level, on the m sensor points in x and Nt = 100 levels in t,
 *   [1/Δt − (D/2)Δ_h − ½g′(sⁿ)]·sⁿ⁺¹ = [1/Δt + (D/2)Δ_h − ½g′(sⁿ)]·sⁿ + f + g(sⁿ),   g(s) = k s²,
 * with Δ_h the 3-point Laplacian, solved by the Thomas algorithm.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { drawCoefficients, type GrfBasis, onGrid } from "./grf.ts";

export type Problem = "antiderivative" | "pendulum" | "diffusionReaction";

/** Dimension of the trunk input y: x for the ODEs, (x, t) for diffusion-reaction. */
export const yDim = (p: Problem): number => (p === "diffusionReaction" ? 2 : 1);

/** Fine-grid points per sensor interval: RK4 stages at t, t + h/2, t + h fall on the grid with h = 2/FINE sensor gaps. */
export const FINE = 4;

/** Fine-grid size for m sensors: sensors sit every FINE-th point. */
export const fineSize = (m: number): number => FINE * (m - 1) + 1;

/** Right-hand side of an ODE system s′ = f(s, u): writes f into `ds`. */
type Rhs = (s: Float64Array, u: number, ds: Float64Array) => void;

const RHS: Record<"antiderivative" | "pendulum", { dim: number; f: Rhs }> = {
  antiderivative: { dim: 1, f: (_s, u, ds) => void (ds[0] = u) },
  pendulum: {
    dim: 2,
    f: (s, u, ds) => {
      ds[0] = s[1];
      ds[1] = -Math.sin(s[0]) + u;
    },
  },
};

/**
 * RK4 over the fine grid `uf` (values at i/(nf − 1)); returns the first state component and its derivative at the
 * nodes x = 2i/(nf − 1), i = 0 … (nf − 1)/2.
 */
export function solveOde(
  problem: "antiderivative" | "pendulum",
  uf: Float64Array,
): { s: Float64Array; ds: Float64Array } {
  const { dim, f } = RHS[problem], nf = uf.length, nodes = (nf - 1) / 2 + 1, h = 2 / (nf - 1);
  const s = new Float64Array(nodes), ds = new Float64Array(nodes);
  const y = new Float64Array(dim), k1 = new Float64Array(dim), k2 = new Float64Array(dim), k3 = new Float64Array(dim);
  const k4 = new Float64Array(dim), tmp = new Float64Array(dim);
  for (let i = 0; i < nodes; i++) {
    f(y, uf[2 * i], k1);
    s[i] = y[0];
    ds[i] = k1[0];
    if (i === nodes - 1) break;
    for (let c = 0; c < dim; c++) tmp[c] = y[c] + 0.5 * h * k1[c];
    f(tmp, uf[2 * i + 1], k2);
    for (let c = 0; c < dim; c++) tmp[c] = y[c] + 0.5 * h * k2[c];
    f(tmp, uf[2 * i + 1], k3);
    for (let c = 0; c < dim; c++) tmp[c] = y[c] + h * k3[c];
    f(tmp, uf[2 * i + 2], k4);
    for (let c = 0; c < dim; c++) y[c] += (h / 6) * (k1[c] + 2 * k2[c] + 2 * k3[c] + k4[c]);
  }
  return { s, ds };
}

/** Cubic Hermite interpolation of nodal values and slopes on the uniform nodes of [0, 1] at x. */
export function hermite(s: Float64Array, ds: Float64Array, x: number): number {
  const n = s.length - 1, h = 1 / n;
  const j = Math.min(n - 1, Math.max(0, Math.floor(x * n))), t = (x - j * h) / h;
  const t2 = t * t, t3 = t2 * t;
  return (2 * t3 - 3 * t2 + 1) * s[j] + (t3 - 2 * t2 + t) * h * ds[j] + (-2 * t3 + 3 * t2) * s[j + 1] +
    (t3 - t2) * h * ds[j + 1];
}

/** Options of {@link solveDiffusionReaction}. */
export interface DrOpts {
  D: number;
  k: number;
  /** Source f(x_i, t_n) at grid point i and time level n. */
  f: (i: number, n: number) => number;
  nx: number;
  nt: number;
  T: number;
}

/** s on the nx × nt grid (row-major by x, as the official solver's u[x, t]), zero boundary and initial values. */
export function solveDiffusionReaction(o: DrOpts): Float64Array {
  const { D, k, nx, nt, T } = o, h = 1 / (nx - 1), dt = T / (nt - 1), M = nx - 2, r = D / (2 * h * h);
  const out = new Float64Array(nx * nt), s = new Float64Array(nx), next = new Float64Array(nx);
  const a = new Float64Array(M), b = new Float64Array(M), c = new Float64Array(M), d = new Float64Array(M);
  for (let n = 0; n + 1 < nt; n++) {
    for (let q = 0; q < M; q++) {
      const i = q + 1, si = s[i], g = k * si * si, half = k * si; // ½g′(s) = k s
      a[q] = q > 0 ? -r : 0;
      c[q] = q < M - 1 ? -r : 0;
      b[q] = 1 / dt + 2 * r - half;
      const lap = s[i - 1] - 2 * si + s[i + 1];
      d[q] = (1 / dt - half) * si + r * lap + 0.5 * (o.f(i, n) + o.f(i, n + 1)) + g;
    }
    thomas(a, b, c, d, M);
    for (let q = 0; q < M; q++) next[q + 1] = d[q];
    s.set(next);
    for (let i = 0; i < nx; i++) out[i * nt + n + 1] = s[i];
  }
  return out;
}

/** Solves the tridiagonal system (sub a, diagonal b, super c) in place: the solution overwrites d. */
function thomas(a: Float64Array, b: Float64Array, c: Float64Array, d: Float64Array, n: number): void {
  const cp = new Float64Array(n);
  let beta = b[0];
  cp[0] = c[0] / beta;
  d[0] /= beta;
  for (let i = 1; i < n; i++) {
    beta = b[i] - a[i] * cp[i - 1];
    cp[i] = c[i] / beta;
    d[i] = (d[i] - a[i] * d[i - 1]) / beta;
  }
  for (let i = n - 2; i >= 0; i--) d[i] -= cp[i] * d[i + 1];
}

/** Operator data: rows [u(x_1) … u(x_m), y] with targets G(u)(y). */
export interface OperatorData {
  /** n × (m + dy) inputs. */
  x: Float64Array;
  y: Float64Array;
  n: number;
  functions: number;
}

/** Settings of {@link operatorData}. */
export interface DataOpts {
  problem: Problem;
  m: number;
  functions: number;
  /** Output points per input function. */
  points: number;
  basis: GrfBasis;
}

/**
 * `functions` GRF draws, each with `points` output locations: uniform x ∈ [0, 1] for the ODEs (as `ODESystem`),
 * random (x_i, t_n) grid points for diffusion-reaction (as `DRSystem`, Nt = 100, T = 1).
 */
export function operatorData(o: DataOpts, rng: Rng): OperatorData {
  const { problem, m, functions: nu, points: P, basis } = o, dy = yDim(problem), w = m + dy, n = nu * P;
  if (basis.fine !== fineSize(m)) throw new Error(`deeponet: basis grid ${basis.fine} ≠ ${fineSize(m)} for m = ${m}`);
  const z = drawCoefficients(basis, nu, rng.split("u")), pts = rng.split("y");
  const x = new Float64Array(n * w), y = new Float64Array(n), uf = new Float64Array(basis.fine);
  const sensors = new Float64Array(m), NT = 100;
  for (let f = 0; f < nu; f++) {
    onGrid(basis, z, f * basis.modes, uf);
    for (let i = 0; i < m; i++) sensors[i] = uf[FINE * i];
    if (problem === "diffusionReaction") {
      const s = solveDiffusionReaction({ D: 0.01, k: 0.01, f: (i) => sensors[i], nx: m, nt: NT, T: 1 });
      for (let p = 0; p < P; p++) {
        const i = Math.floor(pts.uniform() * m), t = Math.floor(pts.uniform() * NT), row = (f * P + p) * w;
        x.set(sensors, row);
        x[row + m] = i / (m - 1);
        x[row + m + 1] = t / (NT - 1);
        y[f * P + p] = s[i * NT + t];
      }
    } else {
      const { s, ds } = solveOde(problem, uf);
      for (let p = 0; p < P; p++) {
        const at = pts.uniform(), row = (f * P + p) * w;
        x.set(sensors, row);
        x[row + m] = at;
        y[f * P + p] = hermite(s, ds, at);
      }
    }
  }
  return { x, y, n, functions: nu };
}
