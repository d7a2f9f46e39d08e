/**
 * SSumM (Lee, Jo, Ko, Lim, Shin, KDD 2020, arXiv 2006.01060), following the official Java code
 * (KyuhanLee/SSumM: `SSumM.java` for RE₂, `ReOne.java` for RE₁, `MinH.java` for shingles), and two baselines
 * that share its summary state: random merging and a k-Gs-like greedy (LeFevre & Terzi 2010, SamplePairs).
 *
 * SSumM, for t = 1..T (T = 20):
 *  1. Candidate groups: k = 10 min-hash shingles per node, f(v) = min_{u ∈ N(v) ∪ {v}} π(u) under a random
 *     permutation π; a supernode's shingle is its members' minimum. Supernodes are sorted by their k shingles,
 *     grouped by equal first shingle, groups over 500 split by the next shingle, and still-larger groups cut
 *     into chunks of 500 (`divSupernode`, `recursiveDiv`).
 *  2. In each group of size L: draw L random ordered pairs, take the one with the largest relative saving
 *         saving(A, B) = 1 − Cost(A ∪ B) / (Cost(A) + Cost(B) − Cost_AB),
 *     and merge it if saving ≥ θ(t) = 1/(1 + t) (θ(T) = 0); stop the group after ⌈log₂⌈log₂ L⌉⌉ draws in a row
 *     without a merge (`mergeStep`). Cost counts, per superedge, the cheaper of the dense encoding
 *     2·log₂|S| + log₂ ω + |Π|·H(w) and the sparse one 2·log₂|V|·E (RE₁ variant: sparse whenever w < ½).
 *  3. Stop as soon as the summary size ≤ the target K.
 * Then drop every superedge whose sparse encoding was chosen, gather edgeless supernodes into one, and if the
 * size still exceeds K drop the superedges of least benefit, E²/|Π| (RE₂) or (2w − 1)·E (RE₁), until it fits
 * (`dropEdges`, `topNDrop`).
 */
import type { Rng } from "../../lib/math/rng.ts";
import { type Graph, neighbors } from "../../lib/math/graph/mod.ts";
import { blockSize, log2, type Summary, summaryBits } from "./summary.ts";

export type Norm = 1 | 2;

const entropy = (p: number) => (p <= 0 || p >= 1 ? 0 : -(p * log2(p) + (1 - p) * log2(1 - p)));

/**
 * The summary being built: supernodes with their members and a map neighbour → edge count per supernode
 * (count > 0: superedge kept in the dense encoding; count < 0: sparse, to be dropped).
 */
export class SummaryState {
  readonly n: number;
  readonly m: number;
  /** Members of each live supernode (null once merged away). */
  members: (number[] | null)[];
  /** Per supernode: neighbour supernode → ±count (self-loop key = itself, count of edges inside). */
  adj: (Map<number, number> | null)[];
  /** Live supernode ids. */
  live: number[];
  pos: Int32Array;
  denseEdges: number;
  maxWeight = 1;
  readonly sparseEdgeCost: number;
  readonly norm: Norm;

  constructor(g: Graph, norm: Norm) {
    this.n = g.n;
    this.m = g.m;
    this.norm = norm;
    this.members = Array.from({ length: g.n }, (_, v) => [v]);
    this.adj = Array.from({ length: g.n }, (_, v) => {
      const row = new Map<number, number>();
      for (const u of neighbors(g, v)) row.set(u, 1);
      return row;
    });
    this.live = Array.from({ length: g.n }, (_, v) => v);
    this.pos = Int32Array.from(this.live);
    this.denseEdges = g.m;
    this.sparseEdgeCost = 2 * log2(g.n);
  }

  get supernodes(): number {
    return this.live.length;
  }

  /** Cost in bits of one dense superedge's identity and weight. */
  superedgeCost(): number {
    return 2 * log2(this.live.length) + log2(this.maxWeight);
  }

  bits(): number {
    return summaryBits(this.n, this.live.length, this.denseEdges, this.maxWeight);
  }

  size(a: number): number {
    return this.members[a]!.length;
  }

  /** Cost of the current encoding of the block {a, b} (dense: superedge + entropy; sparse: edge list). */
  pairCost(a: number, b: number, seCost: number): number {
    const c = this.adj[a]!.get(b) ?? 0;
    if (c === 0) return 0;
    if (c > 0) {
      const pi = blockSize(a, b, this.size(a), this.size(b));
      return seCost + pi * entropy(c / pi);
    }
    return this.sparseEdgeCost * -c;
  }

  /** Cost(a): every block of a (each self-loop once). */
  nodeCost(a: number, seCost: number): number {
    let s = 0;
    for (const b of this.adj[a]!.keys()) s += this.pairCost(a, b, seCost);
    return s;
  }

  /**
   * The cheaper encoding of a block of e edges over pi pairs after a merge: [cost, dense?]. The RE₁ variant
   * keeps a superedge only where w ≥ ½ (`ReOne.dataCostPair`).
   */
  bestEncoding(e: number, pi: number, seCost: number): [number, boolean] {
    const sparse = this.sparseEdgeCost * e;
    if (this.norm === 1 && e / pi < 0.5) return [sparse, false];
    const dense = seCost + pi * entropy(e / pi);
    return dense <= sparse ? [dense, true] : [sparse, false];
  }

  /** Edge counts of the merged supernode a ∪ b with every neighbour (key a for its self-loop). */
  mergedCounts(a: number, b: number): Map<number, number> {
    const out = new Map<number, number>();
    const ra = this.adj[a]!, rb = this.adj[b]!;
    let self = 0;
    for (const [u, c] of ra) {
      if (u === a || u === b) self += Math.abs(c);
      else out.set(u, Math.abs(c));
    }
    for (const [u, c] of rb) {
      if (u === b) self += Math.abs(c);
      else if (u !== a) out.set(u, (out.get(u) ?? 0) + Math.abs(c));
    }
    if (self > 0) out.set(a, self);
    return out;
  }

  /** Relative MDL saving of merging a and b (`savingMDL`). */
  saving(a: number, b: number, seCost: number): number {
    const before = this.nodeCost(a, seCost) + this.nodeCost(b, seCost) - this.pairCost(a, b, seCost);
    if (before <= 0) return 0;
    const sa = this.size(a), sb = this.size(b), s = sa + sb;
    let after = 0;
    for (const [u, e] of this.mergedCounts(a, b)) {
      const pi = u === a ? (s * (s - 1)) / 2 : s * this.size(u);
      after += this.bestEncoding(e, pi, seCost)[0];
    }
    return 1 - after / before;
  }

  /** Merge b into a, choosing each new block's encoding by MDL (`merge`). */
  merge(a: number, b: number): void {
    const seCost = this.superedgeCost();
    const counts = this.mergedCounts(a, b);
    // superedges incident to a or b leave the dense count
    let gone = 0;
    for (const c of this.adj[a]!.values()) if (c > 0) gone++;
    for (const [u, c] of this.adj[b]!) if (c > 0 && u !== a) gone++;
    this.denseEdges -= gone;
    for (const u of this.adj[a]!.keys()) if (u !== a && u !== b) this.adj[u]!.delete(a);
    for (const u of this.adj[b]!.keys()) if (u !== a && u !== b) this.adj[u]!.delete(b);
    this.members[a]!.push(...this.members[b]!);
    this.members[b] = null;
    this.adj[b] = null;
    const s = this.size(a);
    const row = new Map<number, number>();
    for (const [u, e] of counts) {
      const pi = u === a ? (s * (s - 1)) / 2 : s * this.size(u);
      const dense = this.bestEncoding(e, pi, seCost)[1];
      const v = dense ? e : -e;
      row.set(u, v);
      if (u !== a) this.adj[u]!.set(a, v);
      if (dense) this.denseEdges++;
      if (e > this.maxWeight) this.maxWeight = e;
    }
    this.adj[a] = row;
    this.removeLive(b);
  }

  removeLive(b: number): void {
    const i = this.pos[b], last = this.live.pop()!;
    if (last !== b) {
      this.live[i] = last;
      this.pos[last] = i;
    }
  }

  /** Drop sparse superedges and gather edgeless supernodes into one (`dropEdges`). */
  dropSparse(): void {
    for (const a of this.live) {
      for (const [u, c] of this.adj[a]!) if (c < 0) this.adj[a]!.delete(u);
    }
    this.gatherIsolated();
  }

  gatherIsolated(): void {
    let bin = -1;
    for (const a of [...this.live]) {
      if (this.adj[a]!.size > 0) continue;
      if (bin < 0) bin = a;
      else {
        this.members[bin]!.push(...this.members[a]!);
        this.members[a] = null;
        this.adj[a] = null;
        this.removeLive(a);
      }
    }
  }

  /** Drop the superedges of least benefit until the size ≤ target (`topNDrop`, by a full sort). */
  sparsifyTo(target: number): void {
    if (this.bits() <= target) return;
    const list: { a: number; b: number; benefit: number }[] = [];
    for (const a of this.live) {
      for (const [b, c] of this.adj[a]!) {
        if (b < a || c <= 0) continue;
        const pi = blockSize(a, b, this.size(a), this.size(b));
        list.push({ a, b, benefit: this.norm === 2 ? (c * c) / pi : (2 * c / pi - 1) * c });
      }
    }
    list.sort((x, y) => x.benefit - y.benefit);
    for (const { a, b } of list) {
      if (this.bits() <= target) break;
      this.adj[a]!.delete(b);
      if (a !== b) this.adj[b]!.delete(a);
      this.denseEdges--;
      for (const x of a === b ? [a] : [a, b]) if (this.adj[x]!.size === 0) this.isolateOne(x);
    }
  }

  private isolatedBin = -1;
  private isolateOne(x: number): void {
    if (this.isolatedBin < 0 || this.members[this.isolatedBin] === null || this.isolatedBin === x) {
      // find an existing edgeless supernode to act as the bin
      this.isolatedBin = this.live.find((a) => a !== x && this.adj[a]!.size === 0) ?? x;
      if (this.isolatedBin === x) return;
    }
    this.members[this.isolatedBin]!.push(...this.members[x]!);
    this.members[x] = null;
    this.adj[x] = null;
    this.removeLive(x);
  }

  toSummary(): Summary {
    const of = new Int32Array(this.n);
    const id = new Map<number, number>();
    this.live.forEach((a, i) => {
      id.set(a, i);
      for (const v of this.members[a]!) of[v] = i;
    });
    const superedges: [number, number][] = [];
    for (const a of this.live) {
      for (const [b, c] of this.adj[a]!) if (c > 0 && b >= a) superedges.push([id.get(a)!, id.get(b)!]);
    }
    return { of, supernodes: this.live.length, superedges };
  }
}

/** Min-hash shingle of every live supernode under one random permutation (`MinH.call`). */
function shingles(g: Graph, st: SummaryState, rng: Rng): Int32Array {
  const perm = rng.permutation(g.n);
  const f = Int32Array.from(perm);
  for (let v = 0; v < g.n; v++) for (const u of neighbors(g, v)) if (perm[u] < f[v]) f[v] = perm[u];
  const out = new Int32Array(st.live.length);
  st.live.forEach((a, i) => {
    let best = 0x7fffffff;
    for (const v of st.members[a]!) if (f[v] < best) best = f[v];
    out[i] = best;
  });
  return out;
}

/** Candidate groups of at most `maxGroup` supernodes by sorted k-shingle signatures (`divSupernode`). */
export function candidateGroups(g: Graph, st: SummaryState, k: number, rng: Rng, maxGroup = 500): number[][] {
  const sig = Array.from({ length: k }, () => shingles(g, st, rng));
  const order = st.live.map((_, i) => i);
  order.sort((x, y) => {
    for (let c = 0; c < k; c++) if (sig[c][x] !== sig[c][y]) return sig[c][x] - sig[c][y];
    return st.live[x] - st.live[y];
  });
  const groups: number[][] = [];
  const split = (lo: number, hi: number, col: number) => {
    // order[lo..hi) agree on columns < col
    if (hi - lo <= maxGroup) {
      groups.push(order.slice(lo, hi).map((i) => st.live[i]));
      return;
    }
    if (col >= k) {
      for (let s = lo; s < hi; s += maxGroup) {
        groups.push(order.slice(s, Math.min(hi, s + maxGroup)).map((i) => st.live[i]));
      }
      return;
    }
    let s = lo;
    for (let i = lo + 1; i <= hi; i++) {
      if (i === hi || sig[col][order[i]] !== sig[col][order[s]]) {
        split(s, i, col + 1);
        s = i;
      }
    }
  };
  split(0, order.length, 0);
  return groups;
}

export interface SSumMOptions {
  /** Target size as a fraction of the input's size 2|E|log₂|V|. */
  targetFraction: number;
  norm: Norm;
  /** Iterations T (official: 20). */
  iterations: number;
  /** Shingles per node k (official: 10). */
  shingles: number;
  /** Largest candidate group (official divThreshold: 500). */
  maxGroup?: number;
}

const bitsOf = (x: number) => (x <= 0 ? 0 : Math.floor(log2(x)) + 1);

/** SSumM: the summary and the number of merges. */
export function ssumm(g: Graph, o: SSumMOptions, rng: Rng): { summary: Summary; merges: number } {
  const st = new SummaryState(g, o.norm);
  const target = o.targetFraction * 2 * g.m * log2(g.n);
  let merges = 0, reached = false;
  for (let t = 1; t <= o.iterations && !reached; t++) {
    const theta = t < o.iterations ? 1 / (1 + t) : 0;
    for (const group of candidateGroups(g, st, o.shingles, rng.split(`shingle${t}`), o.maxGroup)) {
      let len = group.length;
      if (len < 2) continue;
      const patience = bitsOf(bitsOf(len - 1) - 1);
      let misses = 0;
      let seCost = st.superedgeCost();
      while (misses < patience && len >= 2) {
        let best = -Infinity, bi = -1, bj = -1;
        const seen = new Set<number>();
        for (let draw = 0; draw < len; draw++) {
          const r = rng.int(len * (len - 1));
          const i = Math.floor(r / (len - 1));
          let j = r % (len - 1);
          if (i <= j) j++;
          if (seen.has(i * len + j)) continue;
          seen.add(i * len + j);
          const s = st.saving(group[i], group[j], seCost);
          if (s > best) {
            best = s;
            bi = i;
            bj = j;
          }
        }
        if (best < theta) {
          misses++;
          continue;
        }
        misses = 0;
        st.merge(group[bi], group[bj]);
        merges++;
        len--;
        group[bj] = group[len];
        seCost = st.superedgeCost();
        if (st.bits() <= target) {
          reached = true;
          break;
        }
      }
      if (reached) break;
    }
  }
  st.dropSparse();
  st.sparsifyTo(target);
  return { summary: st.toSummary(), merges };
}

/**
 * Random merging (the paper's sanity baseline): merge uniformly random pairs of supernodes, each new block
 * encoded by the same MDL rule, until the size ≤ target; then the same sparsification as SSumM.
 */
export function randomMerge(g: Graph, o: { targetFraction: number; norm: Norm }, rng: Rng): Summary {
  const st = new SummaryState(g, o.norm);
  const target = o.targetFraction * 2 * g.m * log2(g.n);
  while (st.bits() > target && st.supernodes > 1) {
    const L = st.supernodes;
    const i = rng.int(L);
    let j = rng.int(L - 1);
    if (j >= i) j++;
    st.merge(st.live[i], st.live[j]);
    if (st.supernodes <= 2) break;
  }
  st.dropSparse();
  st.sparsifyTo(target);
  return st.toSummary();
}

/**
 * k-Gs-like greedy (LeFevre & Terzi, SDM 2010, with its SamplePairs candidate rule): repeatedly draw `pairs`
 * random pairs of supernodes and merge the one that increases the reconstruction error least, keeping every
 * nonempty block as a superedge (a dense summary, no sparsification), until the size ≤ target. For RE₂ the
 * increase is Σ E²/|Π| before minus after; for RE₁, Σ E(2w − 1) before minus after.
 */
export function kgs(g: Graph, o: { targetFraction: number; norm: Norm; pairs: number }, rng: Rng): Summary {
  const st = new SummaryState(g, o.norm);
  const target = o.targetFraction * 2 * g.m * log2(g.n);
  const gain = (e: number, pi: number) => (o.norm === 2 ? (e * e) / pi : e * (2 * e / pi - 1));
  const loss = (a: number, b: number) => {
    let before = 0;
    for (const x of [a, b]) {
      for (const [u, c] of st.adj[x]!) {
        if (x === b && u === a) continue;
        before += gain(Math.abs(c), blockSize(x, u, st.size(x), st.size(u)));
      }
    }
    const s = st.size(a) + st.size(b);
    let after = 0;
    for (const [u, e] of st.mergedCounts(a, b)) after += gain(e, u === a ? (s * (s - 1)) / 2 : s * st.size(u));
    return before - after;
  };
  // every block dense: k-Gs keeps all nonzero blocks
  const mergeDense = (a: number, b: number) => {
    st.merge(a, b);
    for (const [u, c] of st.adj[a]!) {
      if (c < 0) {
        st.adj[a]!.set(u, -c);
        if (u !== a) st.adj[u]!.set(a, -c);
        st.denseEdges++;
      }
    }
  };
  while (st.bits() > target && st.supernodes > 2) {
    const L = st.supernodes;
    let best = Infinity, ba = -1, bb = -1;
    for (let p = 0; p < o.pairs; p++) {
      const i = rng.int(L);
      let j = rng.int(L - 1);
      if (j >= i) j++;
      const d = loss(st.live[i], st.live[j]);
      if (d < best) {
        best = d;
        ba = st.live[i];
        bb = st.live[j];
      }
    }
    mergeDense(ba, bb);
  }
  return st.toSummary();
}
