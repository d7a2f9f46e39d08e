/**
 * Random graph generators, seeded by {@link Rng}: stochastic block model, Barabási–Albert preferential
 * attachment, and R-MAT (recursive matrix). All return simple undirected {@link Graph}s.
 *
 * @example
 * ```ts
 * const { graph, labels } = sbm([50, 50], 0.2, 0.01, Rng.fromSeed(0)); // two planted communities
 * const ba = barabasiAlbert(1000, 4, Rng.fromSeed(1));                  // ≈ 4·1000 edges, power-law degrees
 * const rm = rmat(12, 8, Rng.fromSeed(2));                              // 2^12 nodes, ≤ 8·2^12 edges
 * ```
 */
import type { Rng } from "../rng.ts";
import { fromEdges, type Graph } from "./csr.ts";

/**
 * Stochastic block model (Holland, Laskey, Leinhardt 1983): blocks of the given sizes, each pair joined
 * independently with probability pIn inside a block and pOut across. Sampled by geometric skips, so the cost is
 * O(n + m) rather than O(n²). Returns the graph and each node's block label.
 */
export function sbm(
  sizes: readonly number[],
  pIn: number,
  pOut: number,
  rng: Rng,
): { graph: Graph; labels: Int32Array } {
  const n = sizes.reduce((a, b) => a + b, 0);
  const labels = new Int32Array(n);
  const start: number[] = [];
  let s = 0;
  sizes.forEach((k, b) => {
    start.push(s);
    labels.fill(b, s, s + k);
    s += k;
  });
  const flat: number[] = [];
  for (let a = 0; a < sizes.length; a++) {
    for (let b = a; b < sizes.length; b++) {
      const p = a === b ? pIn : pOut;
      if (p <= 0) continue;
      const na = sizes[a], nb = sizes[b];
      const total = a === b ? (na * (na - 1)) / 2 : na * nb;
      // geometric skipping over the pair index 0..total-1
      const logq = Math.log(1 - p);
      let idx = -1;
      while (true) {
        idx += p >= 1 ? 1 : 1 + Math.floor(Math.log(1 - rng.uniform()) / logq);
        if (idx >= total) break;
        let u: number, v: number;
        if (a === b) {
          // pair index → (i, j) with i < j in the upper triangle, row by row
          const i = Math.floor((2 * na - 1 - Math.sqrt((2 * na - 1) ** 2 - 8 * idx)) / 2);
          const rowStart = i * na - (i * (i + 1)) / 2;
          let ii = i, rs = rowStart;
          // guard against floating error at row boundaries
          while (idx - rs >= na - 1 - ii) {
            rs += na - 1 - ii;
            ii++;
          }
          while (idx < rs) {
            ii--;
            rs -= na - 1 - ii;
          }
          u = start[a] + ii;
          v = start[a] + ii + 1 + (idx - rs);
        } else {
          u = start[a] + Math.floor(idx / nb);
          v = start[b] + (idx % nb);
        }
        flat.push(u, v);
      }
    }
  }
  return { graph: fromEdges(n, Int32Array.from(flat)), labels };
}

/**
 * Barabási–Albert preferential attachment (Barabási & Albert 1999): start from a clique on m+1 nodes; each new
 * node joins m distinct existing nodes chosen with probability proportional to degree (a repeated-endpoint
 * list, as networkx's barabasi_albert_graph). Edges ≈ m·n.
 */
export function barabasiAlbert(n: number, m: number, rng: Rng): Graph {
  if (m < 1 || m >= n) throw new Error(`barabasiAlbert: need 1 ≤ m < n (got m = ${m}, n = ${n})`);
  const flat: number[] = [];
  const targets: number[] = [];
  for (let u = 0; u <= m; u++) {
    for (let v = u + 1; v <= m; v++) {
      flat.push(u, v);
      targets.push(u, v);
    }
  }
  const chosen = new Set<number>();
  for (let u = m + 1; u < n; u++) {
    chosen.clear();
    while (chosen.size < m) chosen.add(targets[rng.int(targets.length)]);
    for (const v of chosen) {
      flat.push(u, v);
      targets.push(u, v);
    }
  }
  return fromEdges(n, Int32Array.from(flat));
}

/**
 * R-MAT (Chakrabarti, Zhan, Faloutsos 2004): 2^scale nodes, edgeFactor·2^scale edge draws, each placed by
 * recursively choosing a quadrant with probabilities (a, b, c, 1−a−b−c); Graph500 defaults (0.57, 0.19, 0.19).
 * Self-loops and repeats are dropped, so the graph has somewhat fewer edges than draws.
 */
export function rmat(
  scale: number,
  edgeFactor: number,
  rng: Rng,
  p: { a: number; b: number; c: number } = { a: 0.57, b: 0.19, c: 0.19 },
): Graph {
  const n = 1 << scale;
  const draws = Math.round(edgeFactor * n);
  const flat = new Int32Array(2 * draws);
  const ab = p.a + p.b, abc = p.a + p.b + p.c;
  for (let e = 0; e < draws; e++) {
    let u = 0, v = 0;
    for (let level = 0; level < scale; level++) {
      const r = rng.uniform();
      const bitU = r >= ab ? 1 : 0;
      const bitV = (r >= p.a && r < ab) || r >= abc ? 1 : 0;
      u = (u << 1) | bitU;
      v = (v << 1) | bitV;
    }
    flat[2 * e] = u;
    flat[2 * e + 1] = v;
  }
  // permute labels so that node id carries no degree information
  const perm = rng.permutation(n);
  for (let i = 0; i < flat.length; i++) flat[i] = perm[flat[i]];
  return fromEdges(n, flat);
}

/**
 * Degree-corrected SBM (Karrer & Newman 2011) as a cheap stand-in for LFR benchmark graphs: k equal blocks,
 * node weights θ_v from a power law with exponent `gamma` (θ ≥ 1, capped at `maxTheta`), and each pair joined
 * with probability min(1, θ_u θ_v · c_in/out), where c is set so that the mean degree is `avgDegree` and a
 * fraction `mixing` (LFR's μ) of each node's expected edges leave its block. O(n²) pair tests: for n ≲ 10⁴.
 */
export function dcsbm(
  o: { n: number; blocks: number; avgDegree: number; mixing: number; gamma?: number; maxTheta?: number },
  rng: Rng,
): { graph: Graph; labels: Int32Array } {
  const { n, blocks, avgDegree, mixing } = o;
  const gamma = o.gamma ?? 2.5, maxTheta = o.maxTheta ?? Math.sqrt(n);
  const labels = new Int32Array(n), theta = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    labels[v] = v % blocks;
    // inverse CDF of the Pareto law P(θ > t) = t^{1−γ}, t ≥ 1
    theta[v] = Math.min(maxTheta, (1 - rng.uniform()) ** (-1 / (gamma - 1)));
  }
  const inSum = new Float64Array(blocks);
  let total = 0;
  for (let v = 0; v < n; v++) {
    inSum[labels[v]] += theta[v];
    total += theta[v];
  }
  // expected degree of v ≈ θ_v (c_in Σ_{own block} θ + c_out Σ_{other} θ); match d̄(1−μ) and d̄μ on average
  const meanIn = inSum.reduce((a, s) => a + s * s, 0) / total, meanOut = total - meanIn;
  const meanTheta = total / n;
  const cIn = (avgDegree * (1 - mixing)) / (meanTheta * meanIn);
  const cOut = (avgDegree * mixing) / (meanTheta * meanOut);
  const flat: number[] = [];
  for (let u = 0; u < n; u++) {
    for (let v = u + 1; v < n; v++) {
      const p = theta[u] * theta[v] * (labels[u] === labels[v] ? cIn : cOut);
      if (rng.uniform() < p) flat.push(u, v);
    }
  }
  return { graph: fromEdges(n, Int32Array.from(flat)), labels };
}
