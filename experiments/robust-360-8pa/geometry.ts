/**
 * Two-view geometry on the unit sphere, following the official EnriqueSolarte/robust_360_8PA
 * `solvers/general_epipolar_constraint.py` (EightPointAlgorithmGeneralGeometry) function by function.
 *
 * Bearings are 3×n matrices (columns are unit vectors). A pose is a 4×4 row-major homogeneous transform from
 * camera 1 to camera 2, as in the repository (`pcl_b = inv(cam_a2b) · pcl_a`).
 */
import { getLinalg, type Mat, mat } from "../../lib/math/linalg/mod.ts";

const la = getLinalg();

export type M3 = Float64Array; // 3×3 row-major
export type M4 = Float64Array; // 4×4 row-major

/** Bearings (3×n) as three coordinate rows. */
export interface Bearings {
  n: number;
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
}

export function bearings(n: number): Bearings {
  return { n, x: new Float64Array(n), y: new Float64Array(n), z: new Float64Array(n) };
}

export function subset(b: Bearings, idx: ArrayLike<number>): Bearings {
  const out = bearings(idx.length);
  for (let i = 0; i < idx.length; i++) {
    out.x[i] = b.x[idx[i]];
    out.y[i] = b.y[idx[i]];
    out.z[i] = b.z[idx[i]];
  }
  return out;
}

/** Scale every column to unit length (the repository's `spherical_normalization`). */
export function normalizeColumns(b: Bearings): Bearings {
  const out = bearings(b.n);
  for (let i = 0; i < b.n; i++) {
    const r = Math.hypot(b.x[i], b.y[i], b.z[i]);
    out.x[i] = b.x[i] / r;
    out.y[i] = b.y[i] / r;
    out.z[i] = b.z[i] / r;
  }
  return out;
}

// ── small matrix helpers ─────────────────────────────────────────────────────────────────────────────────────

export function mul3(a: M3, b: M3): M3 {
  const c = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) c[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
  }
  return c;
}

export function t3(a: M3): M3 {
  return Float64Array.of(a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]);
}

export function det3(a: M3): number {
  return a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);
}

export function skew(v: ArrayLike<number>): M3 {
  return Float64Array.of(0, -v[2], v[1], v[2], 0, -v[0], -v[1], v[0], 0);
}

export function frob(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

const scaled = (a: Float64Array, c: number) => a.map((v) => v * c);

/** The 4×4 transform with rotation R (3×3) and translation t. */
export function pose(r: M3, t: ArrayLike<number>): M4 {
  return Float64Array.of(r[0], r[1], r[2], t[0], r[3], r[4], r[5], t[1], r[6], r[7], r[8], t[2], 0, 0, 0, 1);
}

export const rotationOf = (p: M4): M3 => Float64Array.of(p[0], p[1], p[2], p[4], p[5], p[6], p[8], p[9], p[10]);
export const translationOf = (p: M4): Float64Array => Float64Array.of(p[3], p[7], p[11]);

/** Inverse of a rigid transform. */
export function invertPose(p: M4): M4 {
  const rt = t3(rotationOf(p)), t = translationOf(p);
  const ti = [0, 1, 2].map((i) => -(rt[3 * i] * t[0] + rt[3 * i + 1] * t[1] + rt[3 * i + 2] * t[2]));
  return pose(rt, ti);
}

// ── the 8-point algorithm for bearings ───────────────────────────────────────────────────────────────────────

/**
 * Least-squares essential matrix from ≥ 8 matched bearings: the right singular vector of A (rows
 * x1ᵢ ⊗ x2ᵢ) for the smallest singular value, made rank 2, with unit Frobenius norm (`compute_essential_matrix`).
 */
export function essentialMatrix(b1: Bearings, b2: Bearings): M3 {
  const n = b1.n, a = new Float64Array(n * 9);
  for (let i = 0; i < n; i++) {
    const p = [b1.x[i], b1.y[i], b1.z[i]], q = [b2.x[i], b2.y[i], b2.z[i]];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) a[9 * i + 3 * r + c] = p[r] * q[c];
  }
  // With 8 points the thin SVD has only 8 right singular vectors: ask for the full set then (cheap at n = 8).
  const { vt } = la.svd(mat(n, 9, a), { full: n < 9 });
  const e = Float64Array.from(vt.data.subarray(8 * 9, 9 * 9));
  return rank2(e);
}

/** Set the smallest singular value to zero and normalize (the repository's rank-2 constraint). */
export function rank2(e: M3): M3 {
  const { u, s, vt } = la.svd(mat(3, 3, e));
  const d = Float64Array.of(s[0], 0, 0, 0, s[1], 0, 0, 0, 0);
  const out = mul3(mul3(u.data as M3, d), vt.data as M3);
  return scaled(out, 1 / frob(out));
}

/** E = [t/‖t‖]ₓ R from a pose, unit Frobenius norm (`get_e_from_cam_pose`). */
export function essentialFromPose(p: M4): M3 {
  const t = translationOf(p), nt = frob(t);
  const e = mul3(skew([t[0] / nt, t[1] / nt, t[2] / nt]), rotationOf(p));
  return scaled(e, 1 / frob(e));
}

/**
 * The repository's `projected_error`: rᵢ = x1ᵢᵀ E x2ᵢ / (‖X1‖_F ‖E X2‖_F). Note the norms are of the whole 3×n
 * matrices, not per bearing (kept as in the official code).
 */
export function projectedError(e: M3, b1: Bearings, b2: Bearings): Float64Array {
  const n = b1.n, r = new Float64Array(n);
  let n1 = 0, n2 = 0;
  for (let i = 0; i < n; i++) {
    const ex = e[0] * b2.x[i] + e[1] * b2.y[i] + e[2] * b2.z[i];
    const ey = e[3] * b2.x[i] + e[4] * b2.y[i] + e[5] * b2.z[i];
    const ez = e[6] * b2.x[i] + e[7] * b2.y[i] + e[8] * b2.z[i];
    r[i] = b1.x[i] * ex + b1.y[i] * ey + b1.z[i] * ez;
    n1 += b1.x[i] ** 2 + b1.y[i] ** 2 + b1.z[i] ** 2;
    n2 += ex * ex + ey * ey + ez * ez;
  }
  const d = Math.sqrt(n1) * Math.sqrt(n2);
  for (let i = 0; i < n; i++) r[i] /= d;
  return r;
}

/** The four (R, t) candidates of an essential matrix (Hartley & Zisserman p. 258, as in the repository). */
export function fourPoses(e: M3): M4[] {
  const { u, vt } = la.svd(mat(3, 3, e));
  const U = u.data as M3;
  let V = vt.data as M3;
  if (det3(mul3(U, V)) < 0) V = scaled(V, -1);
  const W = Float64Array.of(0, -1, 0, 1, 0, 0, 0, 0, 1);
  const t = [U[2], U[5], U[8]], mt = t.map((v) => -v);
  const r1 = mul3(mul3(U, t3(W)), V), r2 = mul3(mul3(U, W), V);
  return [pose(r1, t), pose(r1, mt), pose(r2, t), pose(r2, mt)];
}

/** Triangulate each match by the 6×4 DLT system (`triangulate_points_from_cam_pose`); homogeneous 4×n. */
export function triangulate(p: M4, b1: Bearings, b2: Bearings): Float64Array[] {
  const inv = invertPose(p);
  const P2 = inv.subarray(0, 12);
  const out = [new Float64Array(b1.n), new Float64Array(b1.n), new Float64Array(b1.n), new Float64Array(b1.n)];
  const a = new Float64Array(24);
  for (let i = 0; i < b1.n; i++) {
    const s1 = skew([b1.x[i], b1.y[i], b1.z[i]]), s2 = skew([b2.x[i], b2.y[i], b2.z[i]]);
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 4; c++) {
        a[4 * r + c] = c < 3 ? s1[3 * r + c] : 0; // s1 · [I | 0]
        a[4 * (r + 3) + c] = s2[3 * r] * P2[c] + s2[3 * r + 1] * P2[4 + c] + s2[3 * r + 2] * P2[8 + c];
      }
    }
    const { vt } = la.svd(mat(6, 4, a.slice()), { full: true });
    const w = vt.data[15];
    for (let k = 0; k < 4; k++) out[k][i] = vt.data[12 + k] / w;
  }
  return out;
}

/**
 * Pick the candidate under which the most triangulated points reproject within 0.98 (cosine) of both bearings
 * (`select_camera_pose`).
 */
export function selectPose(candidates: M4[], b1: Bearings, b2: Bearings): M4 {
  let best = 0, bestScore = -1;
  candidates.forEach((p, idx) => {
    const X = triangulate(p, b1, b2);
    let score = 0;
    for (let i = 0; i < b1.n; i++) {
      const x = X[0][i], y = X[1][i], z = X[2][i], w = X[3][i];
      const r1 = Math.hypot(x, y, z);
      if ((b1.x[i] * x + b1.y[i] * y + b1.z[i] * z) / r1 > 0.98) score++;
      // pt2 = M · pt1 (the repository's convention), then normalized to the sphere.
      const x2 = p[0] * x + p[1] * y + p[2] * z + p[3] * w;
      const y2 = p[4] * x + p[5] * y + p[6] * z + p[7] * w;
      const z2 = p[8] * x + p[9] * y + p[10] * z + p[11] * w;
      const r2 = Math.hypot(x2, y2, z2);
      if ((b2.x[i] * x2 + b2.y[i] * y2 + b2.z[i] * z2) / r2 > 0.98) score++;
    }
    if (score > bestScore) [best, bestScore] = [idx, score];
  });
  return candidates[best];
}

export function recoverPose(e: M3, b1: Bearings, b2: Bearings): M4 {
  return selectPose(fourPoses(e), b1, b2);
}

// ── SE(3) exponential and logarithm (liegroups' convention: ξ = [ρ (translation part), φ (rotation)]) ─────────

function so3Exp(phi: ArrayLike<number>): M3 {
  const th = frob(phi);
  const K = skew(phi);
  const K2 = mul3(K, K);
  const a = th < 1e-10 ? 1 - th * th / 6 : Math.sin(th) / th;
  const b = th < 1e-10 ? 0.5 - th * th / 24 : (1 - Math.cos(th)) / (th * th);
  return Float64Array.from({ length: 9 }, (_, i) => (i % 4 === 0 ? 1 : 0) + a * K[i] + b * K2[i]);
}

/** Left Jacobian of SO(3) and its inverse, for the translation part of SE(3). */
function so3LeftJacobian(phi: ArrayLike<number>, inverse: boolean): M3 {
  const th = frob(phi), K = skew(phi), K2 = mul3(K, K);
  if (!inverse) {
    const b = th < 1e-10 ? 0.5 : (1 - Math.cos(th)) / (th * th);
    const c = th < 1e-10 ? 1 / 6 : (th - Math.sin(th)) / (th ** 3);
    return Float64Array.from({ length: 9 }, (_, i) => (i % 4 === 0 ? 1 : 0) + b * K[i] + c * K2[i]);
  }
  const c = th < 1e-10 ? 1 / 12 : (1 - (th * Math.sin(th)) / (2 * (1 - Math.cos(th)))) / (th * th);
  return Float64Array.from({ length: 9 }, (_, i) => (i % 4 === 0 ? 1 : 0) - 0.5 * K[i] + c * K2[i]);
}

export function se3Exp(xi: ArrayLike<number>): M4 {
  const rho = [xi[0], xi[1], xi[2]], phi = [xi[3], xi[4], xi[5]];
  const J = so3LeftJacobian(phi, false);
  const t = [0, 1, 2].map((i) => J[3 * i] * rho[0] + J[3 * i + 1] * rho[1] + J[3 * i + 2] * rho[2]);
  return pose(so3Exp(phi), t);
}

export function se3Log(p: M4): Float64Array {
  const R = rotationOf(p), t = translationOf(p);
  const c = Math.min(1, Math.max(-1, (R[0] + R[4] + R[8] - 1) / 2));
  const th = Math.acos(c);
  const w = [R[7] - R[5], R[2] - R[6], R[3] - R[1]];
  let phi: number[];
  if (th < 1e-10) phi = w.map((v) => v / 2);
  else if (Math.PI - th < 1e-6) {
    // Near π: the axis from the diagonal of (R + I)/2.
    const ax = [0, 1, 2].map((i) => Math.sqrt(Math.max(0, (R[4 * i] + 1) / 2)));
    const k = ax.indexOf(Math.max(...ax));
    const col = [0, 1, 2].map((i) => (R[3 * i + k] + (i === k ? 1 : 0)) / (2 * ax[k]));
    phi = col.map((v) => v * th);
  } else phi = w.map((v) => (v * th) / (2 * Math.sin(th)));
  const Ji = so3LeftJacobian(phi, true);
  const rho = [0, 1, 2].map((i) => Ji[3 * i] * t[0] + Ji[3 * i + 1] * t[1] + Ji[3 * i + 2] * t[2]);
  return Float64Array.of(...rho, ...phi);
}

/** Rotation matrix from Euler angles in degrees, R = Rz · Ry · Rx (`eulerAnglesToRotationMatrix`). */
export function eulerDeg(ax: number, ay: number, az: number): M3 {
  const [x, y, z] = [ax, ay, az].map((d) => (d * Math.PI) / 180);
  const Rx = Float64Array.of(1, 0, 0, 0, Math.cos(x), -Math.sin(x), 0, Math.sin(x), Math.cos(x));
  const Ry = Float64Array.of(Math.cos(y), 0, Math.sin(y), 0, 1, 0, -Math.sin(y), 0, Math.cos(y));
  const Rz = Float64Array.of(Math.cos(z), -Math.sin(z), 0, Math.sin(z), Math.cos(z), 0, 0, 0, 1);
  return mul3(Rz, mul3(Ry, Rx));
}

/**
 * Pose errors as in `evaluate_error_in_transformation`: rotation angle of Rgtᵀ·R̂ and the angle between the
 * translation directions, both divided by π (so 1 is the largest possible error).
 */
export function poseErrors(est: M4, gt: M4): { rot: number; trans: number } {
  const m = mul3(t3(rotationOf(gt)), rotationOf(est));
  const rot = Math.acos(Math.min(1, Math.max(-1, 0.5 * (m[0] + m[4] + m[8] - 1)))) / Math.PI;
  const a = translationOf(gt), b = translationOf(est);
  const cos = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (frob(a) * frob(b));
  const trans = Math.acos(Math.min(1, Math.max(-1, cos))) / Math.PI;
  return { rot: Math.abs(rot), trans: Math.abs(trans) };
}

export type { Mat };
