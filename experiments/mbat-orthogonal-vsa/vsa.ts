/**
 * Binding operators for the VSA comparison, the synthetic nested JSON-like trees, and their encoding/decoding.
 *
 * MBAT (Gallant & Okaywe 2013; Gallant 2022 §2): a key binds its value by multiplying it with the key's D×D
 * matrix, bind_k(x) = M_k·x. Gaussian MBAT draws M_k with i.i.d. N(0, 1/D) entries (so E‖M_k x‖² = ‖x‖²);
 * Gallant 2022 §3 replaces them by random orthogonal matrices, which keep every length and dot product.
 * HRR baseline (Plate 1995): bind_k(x) = k ⊛ x (circular convolution), unbind with the involution k*.
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { eye, mat } from "../../lib/math/linalg/mat.ts";
import type { Rng } from "../../lib/math/rng.ts";

export type Kind = "orthogonal" | "gaussian" | "gaussian-inverse" | "hrr";

/** One key's binding: bind(x) and its (approximate or exact) inverse unbind(y). */
export interface Binder {
  bind(x: Float64Array): Float64Array;
  unbind(y: Float64Array): Float64Array;
}

/** y = A x (transA: y = Aᵀ x) for a row-major D×D matrix. */
export function matvec(a: Float64Array, x: Float64Array, transA = false): Float64Array {
  const d = x.length, y = new Float64Array(d);
  if (!transA) {
    for (let i = 0; i < d; i++) {
      let s = 0;
      const o = i * d;
      for (let j = 0; j < d; j++) s += a[o + j] * x[j];
      y[i] = s;
    }
  } else {
    for (let i = 0; i < d; i++) {
      const xi = x[i], o = i * d;
      if (xi === 0) continue;
      for (let j = 0; j < d; j++) y[j] += a[o + j] * xi;
    }
  }
  return y;
}

/** Circular convolution (a ⊛ b)_i = Σ_j a_j b_{(i−j) mod D} (Plate 1995, eq. 1); direct O(D²). */
export function cconv(a: Float64Array, b: Float64Array): Float64Array {
  const d = a.length, y = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const aj = a[j];
    for (let i = 0; i < d; i++) y[i] += aj * b[(i - j + d) % d];
  }
  return y;
}

/** Approximate HRR inverse: the involution a*_i = a_{(−i) mod D}. */
export function involution(a: Float64Array): Float64Array {
  const d = a.length, y = new Float64Array(d);
  for (let i = 0; i < d; i++) y[i] = a[(d - i) % d];
  return y;
}

/** D×D matrix with i.i.d. N(0, 1/D) entries (Gaussian MBAT). */
export function gaussianMatrix(d: number, rng: Rng): Float64Array {
  const g = rng.normal(d * d), s = 1 / Math.sqrt(d);
  for (let i = 0; i < g.length; i++) g[i] *= s;
  return g;
}

/** Haar-random orthogonal matrix: Q of the QR of a Gaussian matrix with R's diagonal made positive (Mezzadri 2007). */
export function orthogonalMatrix(d: number, rng: Rng): Float64Array {
  const { q, r } = getLinalg().qr(mat(d, d, rng.normal(d * d)));
  const qd = Float64Array.from(q.data as Float64Array);
  for (let j = 0; j < d; j++) {
    if ((r.data as Float64Array)[j * d + j] < 0) { for (let i = 0; i < d; i++) qd[i * d + j] = -qd[i * d + j]; }
  }
  return qd;
}

/** The binder of one key, drawn from `rng`. */
export function makeBinder(kind: Kind, d: number, rng: Rng): Binder {
  if (kind === "hrr") {
    const k = rng.normal(d).map((v) => v / Math.sqrt(d)), kInv = involution(k);
    return { bind: (x) => cconv(k, x), unbind: (y) => cconv(kInv, y) };
  }
  if (kind === "orthogonal") {
    const q = orthogonalMatrix(d, rng);
    return { bind: (x) => matvec(q, x), unbind: (y) => matvec(q, y, true) }; // Q⁻¹ = Qᵀ exactly
  }
  const m = gaussianMatrix(d, rng);
  if (kind === "gaussian") return { bind: (x) => matvec(m, x), unbind: (y) => matvec(m, y, true) }; // E[MᵀM] = I
  const inv = getLinalg().solve(mat(d, d, m), eye(d) as never).data as Float64Array; // exact M⁻¹
  return { bind: (x) => matvec(m, x), unbind: (y) => matvec(inv, y) };
}

/**
 * A nested JSON-like tree with a spine: at every level the object has `branching` keys; one key (chosen at
 * random) holds the next nested object, the others hold atoms; the innermost object's keys all hold atoms.
 * Level ℓ stores `path[ℓ]` (key of the nested child) and `atoms[ℓ][key]` (atom index, −1 for the nested key).
 */
export interface Tree {
  path: Int32Array;
  atoms: Int32Array[];
  /** The atom at the end of the key path (the innermost object's value under `leafKey`). */
  leafKey: number;
  leaf: number;
}

export function makeTree(depth: number, branching: number, vocab: number, rng: Rng): Tree {
  const path = new Int32Array(depth), atoms: Int32Array[] = [];
  for (let l = 0; l <= depth; l++) {
    const a = new Int32Array(branching);
    for (let k = 0; k < branching; k++) a[k] = rng.int(vocab);
    if (l < depth) {
      path[l] = rng.int(branching);
      a[path[l]] = -1;
    }
    atoms.push(a);
  }
  const leafKey = rng.int(branching);
  return { path, atoms, leafKey, leaf: atoms[depth][leafKey] };
}

const axpy = (y: Float64Array, x: Float64Array) => {
  for (let i = 0; i < y.length; i++) y[i] += x[i];
};

/** V(obj) = Σ_(k,v) bind_k(V(v)), V(atom) = its vector; built from the innermost object outwards. */
export function encode(t: Tree, binders: Binder[], atomVec: (i: number) => Float64Array): Float64Array {
  const depth = t.path.length;
  let inner: Float64Array | null = null;
  for (let l = depth; l >= 0; l--) {
    const v = new Float64Array(atomVec(0).length);
    t.atoms[l].forEach((a, k) => axpy(v, binders[k].bind(a >= 0 ? atomVec(a) : inner!)));
    inner = v;
  }
  return inner!;
}

/** Unbind along the key path, then the leaf key: the noisy estimate of the leaf atom. */
export function decode(t: Tree, enc: Float64Array, binders: Binder[]): Float64Array {
  let y = enc;
  for (const k of t.path) y = binders[k].unbind(y);
  return binders[t.leafKey].unbind(y);
}

export const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
export const norm = (a: Float64Array) => Math.sqrt(dot(a, a));
export const cosine = (a: Float64Array, b: Float64Array) => dot(a, b) / (norm(a) * norm(b));

/** Cleanup memory: index of the vocabulary row with the largest cosine to y. */
export function cleanup(y: Float64Array, vocab: Float64Array, d: number): number {
  let best = -1, bestC = -Infinity;
  for (let i = 0; i < vocab.length / d; i++) {
    const row = vocab.subarray(i * d, (i + 1) * d), c = dot(row, y) / norm(row);
    if (c > bestC) [best, bestC] = [i, c];
  }
  return best;
}

/** Apply the key path's binds to x (a chain of singleton objects {k1: {k2: … x}}): what norm drift measures. */
export function bindChain(path: Int32Array, binders: Binder[], x: Float64Array): Float64Array {
  let y = x;
  for (let l = path.length - 1; l >= 0; l--) y = binders[path[l]].bind(y);
  return y;
}

/** The synthetic benchmark: unit-norm atom vectors, trees of one depth, and for each tree a second leaf-like
 * vector `partner` at cosine ≈ 0.7 to its leaf (for the similarity-preservation check). */
export interface Bench {
  d: number;
  vocab: Float64Array;
  trees: Tree[];
  partners: Float64Array[];
}

export function makeBench(
  o: { dim: number; depth: number; branching: number; vocab: number; trees: number },
  rng: Rng,
): Bench {
  const d = o.dim, vocab = rng.normal(o.vocab * d);
  for (let i = 0; i < o.vocab; i++) {
    const r = vocab.subarray(i * d, (i + 1) * d), n = norm(r);
    for (let j = 0; j < d; j++) r[j] /= n;
  }
  const trees = Array.from({ length: o.trees }, () => makeTree(o.depth, o.branching, o.vocab, rng));
  const partners = trees.map((t) => {
    const z = rng.normal(d), nz = norm(z), p = new Float64Array(d);
    for (let j = 0; j < d; j++) p[j] = vocab[t.leaf * d + j] + z[j] / nz;
    const np = norm(p);
    return p.map((v) => v / np);
  });
  return { d, vocab, trees, partners };
}

export interface Scores {
  /** mean over trees of |ln ‖bind_path(a)‖| for a unit leaf a (0 = lengths kept). */
  norm_drift: number;
  /** mean over trees of |cos(bind_path(a), bind_path(b)) − cos(a, b)|. */
  sim_error: number;
  /** fraction of trees whose leaf is recovered by unbinding the key path and cleanup over the vocabulary. */
  accuracy: number;
  /** mean cosine between the unbound estimate and the true leaf. */
  leaf_cos: number;
}

/** Draw one binder per key name (shared by all levels, as JSON key names are), encode, decode, score. */
export function evaluate(b: Bench, kind: Kind, branching: number, rng: Rng): Scores {
  const d = b.d, binders = Array.from({ length: branching }, (_, k) => makeBinder(kind, d, rng.split(`key${k}`)));
  const atom = (i: number) => b.vocab.subarray(i * d, (i + 1) * d);
  let drift = 0, sim = 0, hits = 0, lc = 0;
  b.trees.forEach((t, i) => {
    const a = atom(t.leaf), p = b.partners[i];
    const ba = bindChain(t.path, binders, a), bp = bindChain(t.path, binders, p);
    drift += Math.abs(Math.log(norm(ba)));
    sim += Math.abs(cosine(ba, bp) - cosine(a, p));
    const est = decode(t, encode(t, binders, atom), binders);
    if (cleanup(est, b.vocab, d) === t.leaf) hits++;
    lc += cosine(est, a);
  });
  const n = b.trees.length;
  return { norm_drift: drift / n, sim_error: sim / n, accuracy: hits / n, leaf_cos: lc / n };
}
