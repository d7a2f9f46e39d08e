/**
 * A classical state-vector simulation of the HHL circuit (Harrow, Hassidim & Lloyd, PRL 103, 150502, 2009;
 * arXiv 0811.3171) for a real symmetric positive definite A with eigenvalues in [1/κ, 1] (the paper's scaling).
 *
 * Registers: clock (t qubits, T = 2^t states), system (log₂ N qubits), one ancilla. With A = Σ_j λ_j u_j u_jᵀ and
 * |b⟩ = Σ_j β_j |u_j⟩, every gate below acts block-diagonally in the eigenbasis, so the simulation runs one clock
 * vector of length T per eigencomponent j — the exact action of the circuit, not an approximation of it:
 *
 *   1. clock prepared in |Ψ₀⟩: the paper's  √(2/T) Σ_τ sin(π(τ+½)/T)|τ⟩  (`clock: "sine"`), or the uniform
 *      superposition H^{⊗t}|0⟩ of textbook phase estimation (`"uniform"`, the common variant);
 *   2. conditional evolution Σ_τ |τ⟩⟨τ| ⊗ e^{iAτt₀/T}: on block j the phase e^{iλ_j τ t₀/T};
 *   3. inverse QFT on the clock: block j becomes Σ_k α_{k|j}|k⟩, read as λ̃_k = 2πk/t₀ (k ≥ T/2 wraps to the
 *      negative eigenvalues 2π(k−T)/t₀, as in the paper);
 *   4. ancilla rotation |0⟩ → √(1 − s_k²)|0⟩ + s_k|1⟩ with s_k = C/λ̃_k (clipped to ±1 where |λ̃_k| < C, and 0 at
 *      λ̃ = 0: a hard filter in place of the paper's smooth filter pair f, g);
 *   5. uncomputation: QFT, e^{−iAτt₀/T}, and the inverse of the clock preparation;
 *   6. post-selection on ancilla = |1⟩, with probability p = Σ_j β_j² Σ_k |α_{k|j}|² s_k².
 *
 * t₀ = πT/2, so the eigenvalue grid 2π/t₀ = 4/T puts λ ∈ [1/κ, 1] in the positive half of the clock with a
 * factor-2 margin against wrap-around. `clock: "ideal"` replaces 1–3 by perfect phase estimation (λ̃ = λ_j
 * exactly): the t → ∞ limit, where the post-selected state is x/‖x‖ and p = Σ_j β_j² C²/λ_j² exactly.
 *
 * Outputs: the system state when the clock is also found back in its initial state (`state`, normalised, in the
 * standard basis, real part after removing a global phase), and the fidelity ⟨x̂|ρ|x̂⟩ of the post-selected system state ρ with the clock traced out —
 * what a user of the circuit holds — against x̂ = A⁻¹b/‖A⁻¹b‖.
 */
import { fft } from "../../lib/math/fft.ts";

export type Clock = "sine" | "uniform" | "ideal";

export interface HhlOptions {
  /** Clock qubits t (T = 2^t); ignored by `clock: "ideal"`. */
  clockQubits: number;
  /** The rotation constant C (HHL: C = O(1/κ), C ≤ λ_min keeps s_k ≤ 1 on exact eigenvalues). */
  c: number;
  clock: Clock;
}

export interface HhlResult {
  /** Probability that the ancilla reads |1⟩ (one run of the circuit succeeds). */
  successProb: number;
  /** ⟨x̂|ρ|x̂⟩, ρ the post-selected system state with the clock traced out. */
  fidelity: number;
  /** Normalised system state (standard basis) on the branch ancilla = 1 and clock back in its initial state. */
  state: Float64Array;
  /** Probability of that branch (ancilla 1 and clock returned). */
  cleanProb: number;
}

/** The paper's clock state √(2/T) sin(π(τ+½)/T), or the uniform one 1/√T. */
export function clockState(T: number, clock: "sine" | "uniform"): Float64Array {
  const psi = new Float64Array(T);
  for (let tau = 0; tau < T; tau++) {
    psi[tau] = clock === "sine" ? Math.sqrt(2 / T) * Math.sin((Math.PI * (tau + 0.5)) / T) : 1 / Math.sqrt(T);
  }
  return psi;
}

/** The estimated eigenvalue of clock state k: 2πk/t₀, wrapped to 2π(k−T)/t₀ for k ≥ T/2 (t₀ = πT/2). */
export function clockEigenvalue(k: number, T: number): number {
  const t0 = (Math.PI * T) / 2;
  return (2 * Math.PI * (k < T / 2 ? k : k - T)) / t0;
}

/** The rotation amplitude s(λ̃) = C/λ̃, clipped to [−1, 1]; 0 at λ̃ = 0. */
export function rotationAmplitude(lambda: number, c: number): number {
  if (lambda === 0) return 0;
  return Math.abs(lambda) >= c ? c / lambda : Math.sign(lambda);
}

/**
 * Run the HHL circuit on A = U diag(λ) Uᵀ (U row-major n×n, columns = eigenvectors) and b, against the reference
 * solution direction `xRef` (any nonzero multiple of A⁻¹b).
 */
export function hhl(
  eig: { values: ArrayLike<number>; vectors: ArrayLike<number> },
  b: ArrayLike<number>,
  xRef: ArrayLike<number>,
  opts: HhlOptions,
): HhlResult {
  const n = b.length, u = eig.vectors;
  const beta = project(u, b, n), xc = project(u, xRef, n);
  const xn = Math.hypot(...xc);
  for (let j = 0; j < n; j++) xc[j] /= xn;
  const T = opts.clock === "ideal" ? 1 : 2 ** opts.clockQubits;
  const psi = opts.clock === "ideal" ? Float64Array.of(1) : clockState(T, opts.clock);
  const s = new Float64Array(T);
  for (let k = 0; k < T; k++) s[k] = rotationAmplitude(clockEigenvalue(k, T), opts.c);
  // Σ_j xc_j β_j w_j (fidelity numerator) over the clock, and the clean amplitudes ⟨Ψ₀|w_j⟩ per component.
  const accRe = new Float64Array(T), accIm = new Float64Array(T);
  const cleanRe = new Float64Array(n), cleanIm = new Float64Array(n);
  let p = 0;
  for (let j = 0; j < n; j++) {
    const lam = eig.values[j];
    const [wRe, wIm] = opts.clock === "ideal"
      ? [Float64Array.of(rotationAmplitude(lam, opts.c)), Float64Array.of(0)]
      : block(lam, psi, s, T);
    let pj = 0, cr = 0, ci = 0;
    for (let k = 0; k < T; k++) {
      pj += wRe[k] * wRe[k] + wIm[k] * wIm[k]; // the uncomputation is unitary: ‖w_j‖² = Σ_k |α_{k|j}|² s_k²
      cr += psi[k] * wRe[k];
      ci += psi[k] * wIm[k];
      accRe[k] += xc[j] * beta[j] * wRe[k];
      accIm[k] += xc[j] * beta[j] * wIm[k];
    }
    p += beta[j] * beta[j] * pj;
    cleanRe[j] = beta[j] * cr;
    cleanIm[j] = beta[j] * ci;
  }
  let overlap = 0;
  for (let k = 0; k < T; k++) overlap += accRe[k] * accRe[k] + accIm[k] * accIm[k];
  // The clean branch: system amplitudes Σ_j clean_j u_j, global phase removed; its real part, normalised (the
  // amplitudes are real up to that phase whenever every eigenvalue sits on the clock grid, as in the tests).
  let cleanProb = 0;
  for (let j = 0; j < n; j++) cleanProb += cleanRe[j] * cleanRe[j] + cleanIm[j] * cleanIm[j];
  const state = new Float64Array(n);
  const [pr, pi] = dominantPhase(cleanRe, cleanIm);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) state[i] += u[i * n + j] * (cleanRe[j] * pr - cleanIm[j] * pi);
  }
  const sn = Math.hypot(...state);
  for (let i = 0; i < n; i++) state[i] /= sn;
  return { successProb: p, fidelity: overlap / p, state, cleanProb };
}

/**
 * One eigencomponent through steps 1–5: w = D† · QFT · diag(s) · QFT† · D · Ψ₀ with D = diag(e^{iλτt₀/T}),
 * returned before the inverse clock preparation (a unitary on the clock alone, which leaves the traced system
 * state unchanged; the clean branch is read as ⟨Ψ₀|w⟩).
 */
function block(lam: number, psi: Float64Array, s: Float64Array, T: number): [Float64Array, Float64Array] {
  const t0 = (Math.PI * T) / 2, re = new Float64Array(T), im = new Float64Array(T);
  for (let tau = 0; tau < T; tau++) {
    const ph = (lam * t0 * tau) / T;
    re[tau] = psi[tau] * Math.cos(ph);
    im[tau] = psi[tau] * Math.sin(ph);
  }
  // QFT† v: α_k = T^{-1/2} Σ_τ e^{−2πiτk/T} v_τ (the forward FFT's sign), then the rotation's |1⟩ amplitude.
  const [aRe, aIm] = fft(re, im);
  const sq = Math.sqrt(T);
  for (let k = 0; k < T; k++) {
    aRe[k] *= s[k] / sq;
    aIm[k] *= s[k] / sq;
  }
  // QFT g: T^{-1/2} Σ_k e^{+2πiτk/T} g_k = √T · (inverse FFT, which divides by T).
  const [gRe, gIm] = fft(aRe, aIm, true);
  for (let tau = 0; tau < T; tau++) {
    const ph = -(lam * t0 * tau) / T, c = Math.cos(ph), sn = Math.sin(ph);
    const r = gRe[tau] * sq, i = gIm[tau] * sq;
    gRe[tau] = r * c - i * sn;
    gIm[tau] = r * sn + i * c;
  }
  return [gRe, gIm];
}

/** c = Uᵀ v for row-major U (n×n). */
function project(u: ArrayLike<number>, v: ArrayLike<number>, n: number): Float64Array {
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c[j] += u[i * n + j] * v[i];
  return c;
}

/** The unit complex number that rotates the largest amplitude onto the positive real axis (a global phase). */
function dominantPhase(re: Float64Array, im: Float64Array): [number, number] {
  let best = 0;
  for (let j = 1; j < re.length; j++) if (Math.hypot(re[j], im[j]) > Math.hypot(re[best], im[best])) best = j;
  const m = Math.hypot(re[best], im[best]) || 1;
  return [re[best] / m, -im[best] / m];
}
