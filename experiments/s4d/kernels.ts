/**
 * Diagonal state space models (S4D) and the HiPPO-LegS kernels they are compared with.
 *
 * Read from state-spaces/s4 (never copied): `src/models/hippo/hippo.py` (`transition('legs')`, `rank_correction`,
 * `nplr`), `src/models/sequence/kernels/dplr.py` (`dplr`: the S4D inits) and `src/models/sequence/kernels/ssm.py`
 * (`SSMKernelDiag.forward`: the Vandermonde kernel under ZOH or bilinear).
 *
 * - **NPLR of LegS.** A (HiPPO-LegS, `legs` in lib/math/hippo.ts) = A_N − P Pᵀ with P_n = √(n + ½);
 *   A_N = −½ I + S, S skew-symmetric (the "normal part"). A_N = V Λ V*, V unitary, Λ = −½ + iω: ω from the
 *   Hermitian −iS, through its real symmetric embedding [[0, S], [−S, 0]] (each ω twice; one vector per pair).
 * - **S4D-LegS**: Λ's half with Im λ < 0 (the other half is conjugate), B̃ = V*B / 2 (each eigenvector's phase
 *   fixed so that B̃ is real and positive) (the S4D theory's half;
 *   dplr.py drops the ½ "for simplicity" and clips Im B̃ to ±2 — neither is done here), C̃_k = Σ_j C_j V_jk
 *   Its kernel, C e^{tA_N} B/2, approaches S4's C e^{tA} B as N → ∞ (abstract): checked on the basis kernels
 *   e_jᵀ e^{tA_N} B/2 vs e_jᵀ e^{tA} B.
 * - **S4D-Inv**: λ_n = −½ − i (N/π)(N/(2n+1) − 1); **S4D-Lin**: λ_n = −½ − iπn; **random**: λ_n = −½ − i e^{g_n},
 *   g_n ~ N(0, 1) (dplr.py `init='random'`); n = 0 … N/2 − 1, B̃ = 1.
 * - **Discretization** (step Δ), per mode: ZOH z = e^{Δλ}, B̄ = (e^{Δλ} − 1)/λ · B̃; bilinear
 *   z = (1 + Δλ/2)/(1 − Δλ/2), B̄ = Δ B̃/(1 − Δλ/2). Kernel K_l = 2 Re Σ_n C̃_n B̄_n z_n^l (the Vandermonde
 *   product; z^l = e^{l log z}).
 */
import type { Linalg } from "../../lib/math/linalg/types.ts";
import { mat } from "../../lib/math/linalg/mat.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { bilinear, type Discrete, legs, type Ssm, zoh } from "../../lib/math/hippo.ts";

/** A complex vector as two real arrays. */
export interface CVec {
  re: Float64Array;
  im: Float64Array;
}

/** A diagonal SSM with conjugate symmetry: the half of the modes kept, x' = λx + b u, y = 2 Re(c x). */
export interface Diag {
  lam: CVec;
  b: CVec;
}

/** Discretization rule. */
export type Disc = "zoh" | "bilinear";

export const cvec = (m: number): CVec => ({ re: new Float64Array(m), im: new Float64Array(m) });

/** HiPPO-LegS A, B, the rank-1 correction P (P_n = √(n + ½)) and the normal part A_N = A + P Pᵀ. */
export function legsNplr(n: number): Ssm & { p: Float64Array; an: Float64Array } {
  const s = legs(n), p = new Float64Array(n), an = new Float64Array(n * n);
  for (let i = 0; i < n; i++) p[i] = Math.sqrt(i + 0.5);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) an[i * n + k] = s.a[i * n + k] + p[i] * p[k];
  return { ...s, p, an };
}

/**
 * Eigendecomposition of the normal A_N = −½I + S (S skew): all n eigenvalues λ_k = −½ + iω_k (ω ascending) and the
 * unitary V (n×n, row-major, V[i, k] the i-th entry of eigenvector k) with A_N = V Λ V*.
 */
export function diagonalizeNormal(an: Float64Array, n: number, la: Linalg): { lam: CVec; v: CVec } {
  let d = 0;
  for (let i = 0; i < n; i++) d += an[i * n + i];
  d /= n; // −½ for LegS
  const m = 2 * n, emb = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const s = i === k ? 0 : 0.5 * (an[i * n + k] - an[k * n + i]); // the skew part, exactly skew
      emb[i * m + n + k] = s; // [[0, S], [−S, 0]]
      emb[(n + i) * m + k] = -s;
    }
  }
  const { values, vectors } = la.eigh(mat(m, m, emb));
  const lam = cvec(n), v = { re: new Float64Array(n * n), im: new Float64Array(n * n) };
  for (let k = 0; k < n; k++) {
    const col = 2 * k; // each ω appears twice in the embedding; one vector per pair
    lam.re[k] = d;
    lam.im[k] = 0.5 * (values[col] + values[col + 1]);
    for (let i = 0; i < n; i++) {
      v.re[i * n + k] = vectors.data[i * m + col];
      v.im[i * n + k] = vectors.data[(n + i) * m + col];
    }
  }
  return { lam, v };
}

/** S4D-LegS: the half of A_N's spectrum with Im λ < 0, V, and B̃ = V* B · bScale (theory: bScale = ½). */
export function s4dLegs(n: number, la: Linalg, bScale = 0.5): Diag & { v: CVec; half: number } {
  if (n % 2) throw new Error(`S4D needs an even state size, got ${n}`);
  const { an, b } = legsNplr(n), { lam, v } = diagonalizeNormal(an, n, la), h = n / 2;
  const out: Diag & { v: CVec; half: number } = {
    lam: cvec(h),
    b: cvec(h),
    v: { re: new Float64Array(n * h), im: new Float64Array(n * h) },
    half: h,
  };
  for (let k = 0; k < h; k++) { // ω ascending: the first n/2 are negative
    out.lam.re[k] = lam.re[k];
    out.lam.im[k] = lam.im[k];
    let br = 0, bi = 0; // (V* b)_k = Σ_i conj(V_ik) b_i
    for (let i = 0; i < n; i++) {
      br += v.re[i * n + k] * b[i];
      bi -= v.im[i * n + k] * b[i];
    }
    // Fix each eigenvector's free phase (eigh's is arbitrary, and differs between LAPACK builds): V_k ← V_k e^{iθ},
    // θ = arg (V*b)_k, which makes B̃_k = |(V*b)_k| real and positive. Kernels of C in A's basis do not change.
    const mag = Math.hypot(br, bi), cr = mag > 0 ? br / mag : 1, ci = mag > 0 ? bi / mag : 0;
    for (let i = 0; i < n; i++) {
      const vr = v.re[i * n + k], vi = v.im[i * n + k];
      out.v.re[i * h + k] = vr * cr - vi * ci;
      out.v.im[i * h + k] = vr * ci + vi * cr;
    }
    out.b.re[k] = bScale * mag;
    out.b.im[k] = 0;
  }
  return out;
}

/** S4D-Inv, S4D-Lin or random imaginary parts (dplr.py), real part −½, B̃ = 1. */
export function s4dInit(kind: "inv" | "lin" | "random", n: number, rng?: Rng): Diag {
  const h = n / 2, d: Diag = { lam: cvec(h), b: cvec(h) };
  for (let k = 0; k < h; k++) {
    d.lam.re[k] = -0.5;
    d.lam.im[k] = -(kind === "inv"
      ? (n / Math.PI) * (n / (2 * k + 1) - 1)
      : kind === "lin"
      ? Math.PI * k
      : Math.exp(rng!.normal(1)[0]));
    d.b.re[k] = 1;
  }
  return d;
}

/** Per-mode discretization: z (the discrete eigenvalue) and B̄. */
export function discretizeDiag(d: Diag, dt: number, disc: Disc): { z: CVec; bd: CVec } {
  const m = d.lam.re.length, z = cvec(m), bd = cvec(m);
  for (let k = 0; k < m; k++) {
    const ar = dt * d.lam.re[k], ai = dt * d.lam.im[k], br = d.b.re[k], bi = d.b.im[k];
    let fr: number, fi: number; // B̄ = f · b
    if (disc === "zoh") {
      const e = Math.exp(ar);
      z.re[k] = e * Math.cos(ai);
      z.im[k] = e * Math.sin(ai);
      // (e^{Δλ} − 1)/λ = Δ (z − 1)/(Δλ)
      const nr = z.re[k] - 1, ni = z.im[k], den = ar * ar + ai * ai;
      fr = dt * (nr * ar + ni * ai) / den;
      fi = dt * (ni * ar - nr * ai) / den;
    } else {
      const dr = 1 - ar / 2, di = -ai / 2, den = dr * dr + di * di; // 1/(1 − Δλ/2) = conj(d)/|d|²
      const ir = dr / den, ii = -di / den;
      const nr = 1 + ar / 2, ni = ai / 2;
      z.re[k] = nr * ir - ni * ii;
      z.im[k] = nr * ii + ni * ir;
      fr = dt * ir;
      fi = dt * ii;
    }
    bd.re[k] = fr * br - fi * bi;
    bd.im[k] = fr * bi + fi * br;
  }
  return { z, bd };
}

/**
 * The Vandermonde kernel K_l = 2 Re Σ_k w_k z_k^l, l < L, with w = C̃ ⊙ B̄ (`w` given directly), z^l = e^{l log z}.
 */
export function vandermonde(w: CVec, z: CVec, len: number): Float64Array {
  const m = w.re.length, k = new Float64Array(len);
  for (let j = 0; j < m; j++) {
    const lr = 0.5 * Math.log(z.re[j] * z.re[j] + z.im[j] * z.im[j]), li = Math.atan2(z.im[j], z.re[j]);
    const wr = w.re[j], wi = w.im[j];
    for (let l = 0; l < len; l++) {
      const e = Math.exp(l * lr), c = Math.cos(l * li), s = Math.sin(l * li);
      k[l] += 2 * e * (wr * c - wi * s);
    }
  }
  return k;
}

/** The kernel of a diagonal SSM with output C̃ (complex, one per kept mode). */
export function diagKernel(d: Diag, c: CVec, dt: number, disc: Disc, len: number): Float64Array {
  const { z, bd } = discretizeDiag(d, dt, disc), m = c.re.length, w = cvec(m);
  for (let k = 0; k < m; k++) {
    w.re[k] = c.re[k] * bd.re[k] - c.im[k] * bd.im[k];
    w.im[k] = c.re[k] * bd.im[k] + c.im[k] * bd.re[k];
  }
  return vandermonde(w, z, len);
}

/** The discrete S4D-LegS basis kernels e_jᵀ Ā_N^l B̄/2 for j < count: row j of V, times B̄, in the Vandermonde. */
export function diagBasisKernels(
  d: Diag & { v: CVec; half: number },
  count: number,
  dt: number,
  disc: Disc,
  len: number,
): Float64Array[] {
  const h = d.half, c = cvec(h), out: Float64Array[] = [];
  for (let j = 0; j < count; j++) {
    for (let k = 0; k < h; k++) {
      c.re[k] = d.v.re[j * h + k];
      c.im[k] = d.v.im[j * h + k];
    }
    out.push(diagKernel(d, c, dt, disc, len));
  }
  return out;
}

/** Dense discretization of (A, B) by the rule (lib/math/hippo.ts: scipy-style bilinear, augmented-expm ZOH). */
export function discretizeDense(s: Ssm, dt: number, disc: Disc): Discrete {
  return disc === "zoh" ? zoh(s, dt) : bilinear(s, dt);
}

/** The impulse responses of the recurrence x_{l+1} = Ā x_l + B̄ u_l, read by each row of `c` (rows × n): y_l = c x_{l+1}. */
export function denseKernels(d: Discrete, c: Float64Array[], len: number): Float64Array[] {
  const { n, ad, bd } = d, out = c.map(() => new Float64Array(len));
  let x = Float64Array.from(bd), y = new Float64Array(n);
  for (let l = 0; l < len; l++) {
    for (let r = 0; r < c.length; r++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += c[r][i] * x[i];
      out[r][l] = s;
    }
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let k = 0; k < n; k++) s += ad[row + k] * x[k];
      y[i] = s;
    }
    [x, y] = [y, x];
  }
  return out;
}

/** The real 2m×2m block form of a diagonal SSM: state (Re x, Im x); output row (2 Re c, −2 Im c). */
export function realBlockForm(d: Diag, c: CVec): { ssm: Ssm; c: Float64Array } {
  const m = d.lam.re.length, n = 2 * m, a = new Float64Array(n * n), b = new Float64Array(n), cr = new Float64Array(n);
  for (let k = 0; k < m; k++) {
    const r = 2 * k;
    a[r * n + r] = d.lam.re[k];
    a[r * n + r + 1] = -d.lam.im[k];
    a[(r + 1) * n + r] = d.lam.im[k];
    a[(r + 1) * n + r + 1] = d.lam.re[k];
    b[r] = d.b.re[k];
    b[r + 1] = d.b.im[k];
    cr[r] = 2 * c.re[k];
    cr[r + 1] = -2 * c.im[k];
  }
  return { ssm: { n, a, b }, c: cr };
}

/** ‖x − y‖₂ / ‖y‖₂. */
export function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < y.length; i++) {
    num += (x[i] - y[i]) ** 2;
    den += y[i] ** 2;
  }
  return Math.sqrt(num / den);
}
