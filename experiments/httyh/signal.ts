/**
 * Band-limited white noise, as the notebook's `whitesignal` (state-spaces/s4 `src/models/hippo/visualizations.py`,
 * adapted there from nengo): random complex Fourier coefficients with standard deviation rms/√2 per part, zero mean
 * (DC) and real Nyquist term, every frequency above `freq` zeroed, a power correction for the zeroed share, an
 * inverse real FFT of length M = 2⌈period/dt/2⌉, and the first sample subtracted so the signal starts at 0. Only
 * the nonzero frequencies are summed (direct inverse transform), so any length works.
 */
import type { Rng } from "../../lib/math/rng.ts";

/** `period/dt` samples of a signal band-limited to `freq` (cycles per time unit), as the notebook's whitesignal. */
export function whiteSignal(rng: Rng, o: { period: number; dt: number; freq: number; rms?: number }): Float64Array {
  const { period, dt, freq } = o, rms = o.rms ?? 0.5;
  if (freq < 1 / period) throw new Error(`freq ${freq} < 1/period ${1 / period}: the signal would be zero`);
  if (freq > 0.5 / dt) throw new Error(`freq ${freq} exceeds the Nyquist frequency ${0.5 / dt}`);
  const nCoef = Math.ceil(period / dt / 2), m = 2 * nCoef, sigma = rms * Math.SQRT1_2;
  const kept: number[] = [];
  for (let k = 1; k <= nCoef; k++) if (k / (m * dt) <= freq) kept.push(k);
  const zeroed = nCoef - kept.length; // frequencies above freq (DC is zeroed separately, as in nengo)
  const correction = Math.sqrt(1 - zeroed / nCoef);
  const re = kept.map(() => rng.normal() * sigma), im = kept.map(() => rng.normal() * sigma);
  const out = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    let s = 0;
    kept.forEach((k, i) => {
      const w = 2 * Math.PI * k * t / m;
      // irfft: the Nyquist bin counts once and its imaginary part is dropped; the others twice.
      s += k === nCoef ? re[i] * Math.cos(w) : 2 * (re[i] * Math.cos(w) - im[i] * Math.sin(w));
    });
    out[t] = s * Math.sqrt(m) / (m * correction);
  }
  const first = out[0];
  for (let t = 0; t < m; t++) out[t] -= first;
  return out;
}
