import { assertAlmostEquals, assertEquals } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import {
  barabasiAlbert,
  dcsbm,
  degrees,
  edgeList,
  fromEdges,
  hasEdge,
  karateClub,
  loadRealGraph,
  neighbors,
  parseEdgeList,
  rmat,
  rogetGraph,
  sbm,
  spmm,
  wordsGraph,
} from "./mod.ts";

Deno.test("fromEdges drops self-loops and repeats, sorts rows, counts edges", () => {
  const g = fromEdges(4, [[0, 1], [1, 0], [2, 2], [3, 1], [1, 2]]);
  assertEquals(g.m, 3);
  assertEquals(Array.from(neighbors(g, 1)), [0, 2, 3]);
  assertEquals(Array.from(degrees(g)), [1, 3, 1, 1]);
  assertEquals(hasEdge(g, 3, 1), true);
  assertEquals(hasEdge(g, 0, 3), false);
  assertEquals(Array.from(edgeList(g)), [0, 1, 1, 2, 1, 3]);
});

Deno.test("spmm equals the dense adjacency product", () => {
  const rng = Rng.fromSeed(3);
  const g = barabasiAlbert(30, 3, rng);
  const d = 2, x = rng.normal(30 * d);
  const y = spmm(g, x, d);
  for (let u = 0; u < 30; u++) {
    for (let c = 0; c < d; c++) {
      let s = 0;
      for (let v = 0; v < 30; v++) if (hasEdge(g, u, v)) s += x[v * d + c];
      assertAlmostEquals(y[u * d + c], s, 1e-12);
    }
  }
});

Deno.test("parseEdgeList numbers labels by first appearance and skips comments", () => {
  const { graph, labels } = parseEdgeList("# c\nA B 1\nB C\n\nC A\nA A\n");
  assertEquals(labels, ["A", "B", "C"]);
  assertEquals(graph.m, 3);
});

Deno.test("SBM edge counts match their expectation within 4 sd", () => {
  const rng = Rng.fromSeed(1);
  const sizes = [200, 300], pIn = 0.05, pOut = 0.005;
  const { graph, labels } = sbm(sizes, pIn, pOut, rng);
  let inside = 0, across = 0;
  const e = edgeList(graph);
  for (let i = 0; i < e.length; i += 2) labels[e[i]] === labels[e[i + 1]] ? inside++ : across++;
  const muIn = pIn * (200 * 199 / 2 + 300 * 299 / 2), muOut = pOut * 200 * 300;
  assertEquals(Math.abs(inside - muIn) < 4 * Math.sqrt(muIn), true, `inside ${inside} vs ${muIn}`);
  assertEquals(Math.abs(across - muOut) < 4 * Math.sqrt(muOut), true, `across ${across} vs ${muOut}`);
  assertEquals(labels[199], 0);
  assertEquals(labels[200], 1);
});

Deno.test("SBM with pIn = 1 inside one block is the complete graph (pair indexing covers every pair once)", () => {
  const { graph } = sbm([17], 1, 0, Rng.fromSeed(0));
  assertEquals(graph.m, 17 * 16 / 2);
});

Deno.test("Barabási–Albert: m(m+1)/2 + m(n−m−1) edges, heavy-tailed degrees", () => {
  const n = 2000, m = 3;
  const g = barabasiAlbert(n, m, Rng.fromSeed(2));
  assertEquals(g.m, (m * (m + 1)) / 2 + m * (n - m - 1));
  const d = degrees(g);
  assertEquals(Math.min(...d) >= m, true);
  assertEquals(Math.max(...d) > 10 * m, true);
});

Deno.test("R-MAT: skewed degrees, at most edgeFactor·2^scale edges", () => {
  const g = rmat(10, 8, Rng.fromSeed(4));
  assertEquals(g.n, 1024);
  assertEquals(g.m <= 8 * 1024 && g.m > 4 * 1024, true, `m = ${g.m}`);
  const d = Array.from(degrees(g)).sort((a, b) => b - a);
  assertEquals(d[0] > 8 * (2 * g.m / g.n), true);
});

Deno.test("karate club: 34 nodes, 78 edges, 17 + 17 factions, node 33 has degree 17", () => {
  const { graph, labels } = karateClub();
  assertEquals(graph.n, 34);
  assertEquals(graph.m, 78);
  assertEquals(labels.reduce((a, b) => a + b, 0), 17);
  assertEquals(degrees(graph)[33], 17);
  assertEquals(degrees(graph)[0], 16);
});

Deno.test("words and roget parsers on small inputs", () => {
  const w = wordsGraph("* comment\nabcde*1\nabcdf*2\nzzzzz*3\nabcdz\n");
  assertEquals(w.n, 4);
  assertEquals(w.m, 3);
  const r = rogetGraph("* c\n1a:2 3\n2b:1\\\n 3\n3c:\n");
  assertEquals(r.n, 3);
  assertEquals(r.m, 3);
});

Deno.test("networkx example graphs load when python3-networkx is installed", () => {
  const g = loadRealGraph("words");
  if (g === null) {
    console.log("python3-networkx examples absent: skipped");
    return;
  }
  // networkx's plot_words.py reports 5757 nodes and 14135 edges for this file
  assertEquals(g.n, 5757);
  assertEquals(g.m, 14135);
  const worm = loadRealGraph("wormnet")!;
  assertEquals(worm.m > 10000, true);
});

Deno.test("DC-SBM: mean degree and mixing fraction near their targets, heavy-tailed degrees", () => {
  const { graph, labels } = dcsbm({ n: 2000, blocks: 5, avgDegree: 10, mixing: 0.3 }, Rng.fromSeed(9));
  const mean = (2 * graph.m) / graph.n;
  assertEquals(Math.abs(mean - 10) < 1.5, true, `mean degree ${mean}`);
  const e = edgeList(graph);
  let across = 0;
  for (let i = 0; i < e.length; i += 2) if (labels[e[i]] !== labels[e[i + 1]]) across++;
  assertEquals(Math.abs(across / graph.m - 0.3) < 0.05, true, `mixing ${across / graph.m}`);
  assertEquals(Math.max(...degrees(graph)) > 5 * mean, true);
});
