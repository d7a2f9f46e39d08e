import { assertAlmostEquals } from "../testdata/assert.ts";
import { fft, fft2InPlace } from "./fft.ts";
import { Rng } from "./rng.ts";

Deno.test("fft matches the direct DFT and inverts; fft2 inverts", () => {
  const n = 16, rng = Rng.fromSeed(0);
  const re = rng.normal(n), im = rng.normal(n);
  const [fr, fi] = fft(re, im);
  for (let k = 0; k < n; k++) {
    let sr = 0, si = 0;
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      sr += re[t] * Math.cos(a) - im[t] * Math.sin(a);
      si += re[t] * Math.sin(a) + im[t] * Math.cos(a);
    }
    assertAlmostEquals(fr[k], sr, 1e-12);
    assertAlmostEquals(fi[k], si, 1e-12);
  }
  const [br, bi] = fft(fr, fi, true);
  for (let t = 0; t < n; t++) {
    assertAlmostEquals(br[t], re[t], 1e-13);
    assertAlmostEquals(bi[t], im[t], 1e-13);
  }
  const m = 8, xr = rng.normal(m * m), xi = rng.normal(m * m), yr = xr.slice(), yi = xi.slice();
  fft2InPlace(yr, yi, m);
  fft2InPlace(yr, yi, m, true);
  for (let t = 0; t < m * m; t++) assertAlmostEquals(yr[t], xr[t], 1e-13);
});
