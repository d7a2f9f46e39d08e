/**
 * Synthetic bearings, following the official `utils/bearings_sampler.py` with a synthetic scene in place of
 * MP3D-VO's depth maps (not available here):
 * - points: pixels of an equirectangular image sampled uniformly (longitude and latitude uniform, so points are
 *   denser towards the poles, as when sampling depth-map pixels), each at the depth of a box-shaped room around
 *   the camera (our stand-in for an indoor MP3D scene);
 * - a random relative pose: translation uniform in [−1, 1]³ m, Euler angles uniform in [−10°, 10°]
 *   (`range_liner_motion`, `range_angular_motion` of config_MP3D_VO.yaml);
 * - the points moved to frame 2, von Mises(0, κ) noise added to each coordinate (`add_noise_to_pcl`, κ = 500),
 *   outliers made by overwriting random columns with ± other columns (`add_outliers_to_pcl`, ratio 0.5), and
 *   both sets normalized to the sphere.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { type Bearings, bearings, eulerDeg, invertPose, type M4, normalizeColumns, pose } from "./geometry.ts";

export interface SceneConfig {
  points: number;
  kappa: number;
  outliers: number;
  /** Half-sizes of the room (m) along x, y, z. */
  room: [number, number, number];
}

export interface Frame {
  b1: Bearings;
  b2: Bearings;
  gt: M4;
  /** Which columns of b2 are outliers (overwritten). */
  outlier: Uint8Array;
}

/**
 * A von Mises(0, κ) draw on (−π, π] (Best & Fisher 1979, as scipy's `vonmises.rvs`); for κ = 500 it is close to
 * N(0, 1/κ).
 */
export function vonMises(rng: Rng, kappa: number): number {
  if (kappa === Infinity) return 0;
  const tau = 1 + Math.sqrt(1 + 4 * kappa * kappa);
  const rho = (tau - Math.sqrt(2 * tau)) / (2 * kappa);
  const r = (1 + rho * rho) / (2 * rho);
  for (;;) {
    const u1 = rng.uniform(), u2 = rng.uniform(), u3 = rng.uniform();
    const z = Math.cos(Math.PI * u1), f = (1 + r * z) / (r + z), c = kappa * (r - f);
    if (c * (2 - c) - u2 > 0 || Math.log(c / u2) + 1 - c >= 0) {
      return (u3 > 0.5 ? 1 : -1) * Math.acos(f);
    }
  }
}

/** Distance from the origin to the wall of the box [−a, a]×[−b, b]×[−c, c] along unit direction d. */
function depthInBox(d: [number, number, number], room: [number, number, number]): number {
  let t = Infinity;
  for (let i = 0; i < 3; i++) if (Math.abs(d[i]) > 1e-12) t = Math.min(t, room[i] / Math.abs(d[i]));
  return t;
}

export function makeFrame(cfg: SceneConfig, rng: Rng): Frame {
  const n = cfg.points;
  const pa = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  for (let i = 0; i < n; i++) {
    const lon = (2 * rng.uniform() - 1) * Math.PI, lat = (rng.uniform() - 0.5) * Math.PI;
    const d: [number, number, number] = [Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat)];
    const depth = depthInBox(d, cfg.room);
    for (let k = 0; k < 3; k++) pa[k][i] = d[k] * depth;
  }
  const u = () => 2 * rng.uniform() - 1;
  const t = [u(), u(), u()];
  const gt = pose(eulerDeg(10 * u(), 10 * u(), 10 * u()), t);
  const inv = invertPose(gt);
  const pb = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < 3; r++) {
      pb[r][i] = inv[4 * r] * pa[0][i] + inv[4 * r + 1] * pa[1][i] + inv[4 * r + 2] * pa[2][i] + inv[4 * r + 3];
      pb[r][i] += vonMises(rng, cfg.kappa);
    }
  }
  // Outliers as the official add_outliers_to_pcl: indices drawn with replacement, so fewer than the ratio may
  // end up corrupted; each is replaced by ± another (noisy) point.
  const m = n - Math.floor((1 - cfg.outliers) * n);
  const src = Array.from({ length: m }, () => rng.int(n)), des = Array.from({ length: m }, () => rng.int(n));
  const sign = Array.from({ length: m }, () => (rng.uniform() < 0.5 ? -1 : 1));
  const outlier = new Uint8Array(n);
  const copy = pb.map((c) => c.slice()); // numpy's fancy-index assignment reads the right-hand side first
  for (let j = 0; j < m; j++) {
    for (let r = 0; r < 3; r++) pb[r][src[j]] = sign[j] * copy[r][des[j]];
    if (src[j] !== des[j] || sign[j] < 0) outlier[src[j]] = 1;
  }
  const b1 = normalizeColumns({ n, x: pa[0], y: pa[1], z: pa[2] });
  const b2 = normalizeColumns({ n, x: pb[0], y: pb[1], z: pb[2] });
  return { b1, b2, gt, outlier };
}

/** A clean frame (no noise, no outliers) for exactness checks. */
export function cleanFrame(n: number, rng: Rng): Frame {
  return makeFrame({ points: n, kappa: Infinity, outliers: 0, room: [4, 3, 1.5] }, rng);
}

export { bearings };
