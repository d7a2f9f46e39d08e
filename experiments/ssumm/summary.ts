/**
 * A summary graph and its MDL size and reconstruction error, as SSumM (Lee et al., KDD 2020) defines them and
 * the official code (KyuhanLee/SSumM, `SSumM.java`) computes them.
 *
 * A summary is a partition of the nodes into supernodes S and a set P of superedges {A, B} (A = B allowed), each
 * with the count E_AB of input edges between A and B. The reconstruction Â joins every pair of nodes in blocks
 * A×B with {A, B} ∈ P with weight w_AB = E_AB / |Π_AB|, where |Π_AB| = |A||B| (A ≠ B) or |A|(|A|−1)/2, and 0
 * elsewhere.
 *
 *   size (bits)      = |V|·log₂|S| + |P|·(2·log₂|S| + log₂ ω),  ω = max_{P} E_AB   (SSumM.java, main/mergeStep)
 *   original (bits)  = 2|E|·log₂|V|
 *   RE₂ = ‖A − Â‖_F / (|V|(|V|−1)),   RE₁ = ‖A − Â‖₁ / (|V|(|V|−1))     (over ordered pairs u ≠ v; `norm()`)
 *
 * Per block, Σ(A − Â)² = E − E²/|Π| and Σ|A − Â| = 2E(1 − w) when kept, and E when dropped, so both errors are
 * sums over superedges: ‖A − Â‖²_F = 2(|E| − Σ_P E²/|Π|), ‖A − Â‖₁ = 2(|E| − Σ_P E(2w − 1)).
 */
import { edgeList, type Graph } from "../../lib/math/graph/mod.ts";

export interface Summary {
  /** Supernode index of every node, 0..|S|−1. */
  of: Int32Array;
  /** Number of supernodes |S|. */
  supernodes: number;
  /** Superedges as [A, B] with A ≤ B; counts are recomputed from the graph. */
  superedges: [number, number][];
}

export interface SummaryStats {
  /** Summary size in bits. */
  bits: number;
  /** Size relative to the input graph, size / (2|E| log₂|V|). */
  relSize: number;
  l1: number;
  l2: number;
  supernodes: number;
  superedges: number;
}

export const log2 = (x: number) => Math.log(x) / Math.LN2;

/** Summary size in bits (official formula); |S| = 1 gives log₂ 1 = 0 per node. */
export function summaryBits(n: number, supernodes: number, superedges: number, maxWeight: number): number {
  return n * log2(supernodes) + superedges * (2 * log2(supernodes) + log2(Math.max(1, maxWeight)));
}

/** Block sizes |Π_AB| for a superedge given the supernode sizes. */
export function blockSize(a: number, b: number, sizeA: number, sizeB: number): number {
  return a === b ? (sizeA * (sizeA - 1)) / 2 : sizeA * sizeB;
}

/** Size and errors of a summary of g, counting every block's edges from g itself. */
export function evaluate(g: Graph, s: Summary): SummaryStats {
  const size = new Float64Array(s.supernodes);
  for (let v = 0; v < g.n; v++) size[s.of[v]]++;
  const key = (a: number, b: number) => (a <= b ? a * s.supernodes + b : b * s.supernodes + a);
  const count = new Map<number, number>();
  for (const [a, b] of s.superedges) count.set(key(a, b), 0);
  const e = edgeList(g);
  for (let i = 0; i < e.length; i += 2) {
    const k = key(s.of[e[i]], s.of[e[i + 1]]);
    const c = count.get(k);
    if (c !== undefined) count.set(k, c + 1);
  }
  let sq = 0, ab = 0, maxW = 1;
  for (const [a, b] of s.superedges) {
    const E = count.get(key(a, b))!;
    const pi = blockSize(a, b, size[a], size[b]);
    const w = E / pi;
    sq += E * w;
    ab += E * (2 * w - 1);
    maxW = Math.max(maxW, E);
  }
  const denom = g.n * (g.n - 1);
  const bits = summaryBits(g.n, s.supernodes, s.superedges.length, maxW);
  return {
    bits,
    relSize: bits / (2 * g.m * log2(g.n)),
    l2: Math.sqrt(Math.max(0, 2 * (g.m - sq))) / denom,
    l1: (2 * (g.m - ab)) / denom,
    supernodes: s.supernodes,
    superedges: s.superedges.length,
  };
}

/**
 * Read the official output format (`summarySave` in SSumM.java): "<Subnode of each supernode>", then one line per
 * supernode "id\tmember\tmember…" (members as labels of the input file), then "<Superedge info>" and lines
 * "A\tB\tcount". `labelToNode` maps the input's labels to our node numbers.
 */
export function parseOfficialSummary(text: string, labelToNode: Map<string, number>, n: number): Summary {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const split = lines.indexOf("<Superedge info>");
  if (lines[0] !== "<Subnode of each supernode>" || split < 0) throw new Error("not an SSumM summary file");
  const of = new Int32Array(n).fill(-1);
  const sid = new Map<string, number>();
  for (const line of lines.slice(1, split)) {
    const [id, ...members] = line.split("\t");
    const s = sid.size;
    sid.set(id, s);
    for (const m of members) {
      const v = labelToNode.get(m);
      if (v === undefined) throw new Error(`summary names node ${m}, absent from the graph`);
      of[v] = s;
    }
  }
  if (of.some((x) => x < 0)) throw new Error("summary leaves some nodes without a supernode");
  const superedges: [number, number][] = lines.slice(split + 1).map((l) => {
    const [a, b] = l.split("\t").map((x) => sid.get(x)!);
    return a <= b ? [a, b] : [b, a];
  });
  return { of, supernodes: sid.size, superedges };
}
