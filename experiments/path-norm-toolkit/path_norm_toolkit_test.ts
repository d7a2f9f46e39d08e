import { assert, assertAlmostEquals, assertEquals, assertThrowsWith } from "../../lib/testdata/assert.ts";
import { assertCentralDifferences, spread } from "../../lib/testdata/gradcheck.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { Rng } from "../../lib/math/rng.ts";
import { AvgPool2d, Conv2d, Dense, Flatten, type Layer, MaxPool2d, ReLU, Sequential } from "../../lib/math/nn/mod.ts";
import exp from "./mod.ts";
import { mlpNet, Residual, resNet, weightParams } from "./nets.ts";
import {
  architectureDims,
  boundFirstPart,
  opNormBound,
  pathCount,
  pathNorm,
  pathSum,
  powAbs,
  rescaleHidden,
} from "./pathnorm.ts";
import { imp, impSparsity } from "./imp.ts";

/** Fill every parameter (biases too) with N(0, s²) values. */
function randomise(net: Sequential, rng: Rng, s = 0.7): void {
  const v = net.store.value;
  for (let i = 0; i < v.length; i++) v[i] = s * rng.normal();
}

// ── the brute-force reference: the DAG as explicit edges, every path enumerated one by one ─────────────────────

interface Node {
  /** Incoming edges: source node and weight. */
  in: [Node, number][];
  /** Bias of the neuron (a path may start here), or null. */
  bias: number | null;
  input: boolean;
}

const inputNode = (): Node => ({ in: [], bias: null, input: true });

/** The matrix of a linear layer by probing the kit's own forward pass with unit inputs (bias subtracted). */
function probe(l: Layer, n: number): { cols: Float64Array[]; bias: Float64Array } {
  const ctx = { gemm: new Sequential([], [1], { dtype: "float64" }).gemm, dtype: "float64" as const };
  const bias = Float64Array.from(l.forward(new Float64Array(n), 1, ctx, false));
  const cols: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const e = new Float64Array(n);
    e[i] = 1;
    const y = l.forward(e, 1, ctx, false);
    cols.push(Float64Array.from(y, (v, j) => v - bias[j]));
  }
  return { cols, bias };
}

/** Output nodes of `layers` applied to `xs` (per-sample shapes `shapes`), edges read off the layers. */
function dagOf(layers: Layer[], shapes: number[][], xs: Node[]): Node[] {
  let h = xs;
  layers.forEach((l, li) => {
    if (l instanceof Dense || l instanceof Conv2d || l instanceof AvgPool2d) {
      const { cols, bias } = probe(l, h.length);
      const hasBias = !(l instanceof AvgPool2d) && (l as Dense | Conv2d).b !== null;
      h = Array.from(bias, (b, j) => ({
        in: h.flatMap((src, i): [Node, number][] => (cols[i][j] !== 0 ? [[src, cols[i][j]]] : [])),
        bias: hasBias ? b : null,
        input: false,
      }));
    } else if (l instanceof MaxPool2d) {
      const [c, H, W] = shapes[li], k = l.size, s = l.stride, ho = Math.floor((H - k) / s) + 1;
      const wo = Math.floor((W - k) / s) + 1, out: Node[] = [];
      for (let ch = 0; ch < c; ch++) {
        for (let i = 0; i < ho; i++) {
          for (let j = 0; j < wo; j++) {
            const ins: [Node, number][] = [];
            for (let a = 0; a < k; a++) {
              for (let b = 0; b < k; b++) ins.push([h[(ch * H + i * s + a) * W + j * s + b], 1]);
            }
            out.push({ in: ins, bias: null, input: false });
          }
        }
      }
      h = out;
    } else if (l instanceof Residual) {
      const inner = dagOf(l.inner, l.shapes, h);
      h = inner.map((node, j) => ({ in: [[h[j], 1], [node, 1]], bias: null, input: false }));
    } else if (!(l instanceof ReLU || l instanceof Flatten)) throw new Error(`dagOf: ${l.label}`);
  });
  return h;
}

/** Every path ending at `node`, one at a time: yields its product of f(edge) (a path starts at an input or a bias). */
function* paths(node: Node, f: (t: number) => number): Generator<number> {
  if (node.input) yield 1;
  if (node.bias !== null) yield f(node.bias);
  for (const [src, w] of node.in) for (const p of paths(src, f)) yield f(w) * p;
}

function bruteForce(net: Sequential, f: (t: number) => number): { sum: number; count: number } {
  const outs = dagOf(net.layers, net.shapes, Array.from({ length: net.inSize }, inputNode));
  let sum = 0, count = 0;
  for (const o of outs) {
    for (const p of paths(o, f)) {
      sum += p;
      count++;
    }
  }
  return { sum, count };
}

/** A tiny DAG with every rule: strided padded conv, max-pool, a residual block, average pool, dense with biases. */
function tinyDag(rng: Rng): Sequential {
  const layers: Layer[] = [
    new Conv2d(2, 3, { stride: 1, padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Residual([new Conv2d(2, 3, { padding: 1 }), new ReLU(), new Conv2d(2, 3, { padding: 1 })]),
    new ReLU(),
    new AvgPool2d(2, 1),
    new Flatten(),
    new Dense(3),
  ];
  const net = new Sequential(layers, [1, 5, 5], { dtype: "float64", rng });
  randomise(net, rng.split("values"));
  return net;
}

Deno.test("path-norm: the one-pass sum equals brute-force enumeration of every path (tiny DAG, q = 1, 2, 4)", () => {
  const net = tinyDag(Rng.fromSeed(1));
  for (const q of [1, 2, 4]) {
    const ref = bruteForce(net, powAbs(q));
    assertAlmostEquals(pathSum(net, powAbs(q)), ref.sum, 1e-12 * ref.sum, `L${q}: Σ over ${ref.count} paths`);
    assertAlmostEquals(pathNorm(net, q), ref.sum ** (1 / q), 1e-12 * ref.sum ** (1 / q), `‖Φ‖_${q}`);
  }
  const count = bruteForce(net, () => 1).count;
  assert(count > 1000, `a DAG with many paths: ${count}`);
  assertEquals(pathCount(net), count, "pathCount (every edge 1) = the number of enumerated paths");
});

Deno.test("path-norm: brute force on a strided ResNet-shaped net and on the MLP shape", () => {
  const rng = Rng.fromSeed(2);
  const r = resNet({ channels: 2, blocks: 1, dtype: "float64" }, rng);
  // 28×28 inputs have too many paths to list: check the same architecture rules on the MLP and a strided conv.
  assertEquals(architectureDims(r), { D: 4, P: 1, K: 4 });
  const strided = new Sequential(
    [
      new Conv2d(2, 3, { stride: 2, padding: 1 }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Dense(2, { transposed: true }),
    ],
    [1, 6, 6],
    { dtype: "float64", rng },
  );
  randomise(strided, rng.split("s"));
  const mlp = mlpNet({ hidden: [4, 3], dtype: "float64" }, rng);
  const tinyMlp = new Sequential([new Dense(4), new ReLU(), new Dense(3), new ReLU(), new Dense(2)], [5], {
    dtype: "float64",
    rng,
  });
  randomise(tinyMlp, rng.split("m"));
  assertEquals(architectureDims(mlp), { D: 3, P: 0, K: 1 });
  for (const net of [strided, tinyMlp]) {
    for (const q of [1, 2]) {
      const ref = bruteForce(net, powAbs(q)).sum;
      assertAlmostEquals(pathSum(net, powAbs(q)), ref, 1e-12 * ref, `${net.layers[0].label} L${q}`);
    }
  }
  // The MLP's L1 path-norm in closed form: 1ᵀ|W₃|(|W₂|(|W₁|1 + |b₁|) + |b₂|) + Σ|b₃| (W stored n_in × n_out).
  const d = tinyMlp.layers.filter((l): l is Dense => l instanceof Dense);
  let v = new Float64Array(5).fill(1);
  for (const l of d) {
    const m = l.units, n = v.length, y = Float64Array.from(l.b!.value, Math.abs);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) y[j] += Math.abs(l.w.value[i * m + j]) * v[i];
    v = y;
  }
  const closed = v.reduce((a, b) => a + b, 0);
  assertAlmostEquals(pathNorm(tinyMlp, 1), closed, 1e-13 * closed, "closed form");
});

Deno.test("path-norm: invariant under neuron rescaling; the operator-norm product and the function are not / are", () => {
  const rng = Rng.fromSeed(3);
  const net = mlpNet({ hidden: [6, 5], dtype: "float64" }, rng);
  randomise(net, rng.split("v"));
  const x = Float64Array.from(rng.normal(4 * 784));
  const before = net.predict(x, 4).slice(), pn = [1, 2, 4].map((q) => pathNorm(net, q)), op = opNormBound(net, 1);
  const u = rng.split("c");
  rescaleHidden(net, 2, () => u.uniform());
  const after = net.predict(x, 4);
  for (let i = 0; i < before.length; i++) assertAlmostEquals(after[i], before[i], 1e-12 * (1 + Math.abs(before[i])));
  [1, 2, 4].forEach((q, i) => assertAlmostEquals(pathNorm(net, q), pn[i], 1e-13 * pn[i], `L${q} invariant`));
  const moved = opNormBound(net, 1) / op;
  assert(Math.abs(Math.log(moved)) > 0.1, `operator-norm product moved by ×${moved}`);
});

Deno.test("path-norm ≤ operator-norm product (q = 1, 2, 4), with equality for one layer of equal rows", () => {
  const rng = Rng.fromSeed(4);
  for (let t = 0; t < 20; t++) {
    const h1 = 1 + Math.floor(8 * rng.uniform()), h2 = 1 + Math.floor(8 * rng.uniform());
    const net = new Sequential([new Dense(h1), new ReLU(), new Dense(h2), new ReLU(), new Dense(3)], [7], {
      dtype: "float64",
      rng,
    });
    randomise(net, rng.split(`t${t}`), 0.1 + 2 * rng.uniform());
    for (const q of [1, 2, 4]) {
      const pn = pathNorm(net, q), op = opNormBound(net, q);
      assert(pn <= op * (1 + 1e-12), `trial ${t} q=${q}: ${pn} > ${op}`);
    }
  }
  const one = new Sequential([new Dense(3)], [4], { dtype: "float64", rng });
  const d = one.layers[0] as Dense;
  for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) d.w.value[i * 3 + j] = [0.5, -1, 2, -0.25][i];
  d.b!.value.fill(-0.3);
  for (const q of [1, 2, 4]) assertAlmostEquals(opNormBound(one, q), pathNorm(one, q), 1e-13, `equal rows, q=${q}`);
  assertThrowsWith(() => opNormBound(tinyDag(rng), 1), "layered fully-connected");
});

Deno.test("bound first part matches the official formula's ResNet-18/ImageNet value", () => {
  // compute_1st_part_bound_resnets.py with D 18, P 1, K 9, B 2.640000104904175, n = int(0.99·1281167), ImageNet
  // sizes: 0.08809270689612651 (evaluated with Python's math module).
  const v = boundFirstPart({ D: 18, P: 1, K: 9, B: 2.640000104904175, n: 1268355, dIn: 150528, dOut: 1000 });
  assertAlmostEquals(v, 0.08809270689612651, 1e-15);
});

Deno.test("Residual: backward matches central differences (its parameters, and ∂x through the layer before it)", () => {
  const rng = Rng.fromSeed(5);
  // A layer before the block: its gradient is correct only if the block's ∂L/∂x = ∂L/∂y + J_fᵀ∂L/∂y is.
  const net = new Sequential(
    [
      new Conv2d(2, 3, { padding: 1 }),
      new Residual([new Conv2d(2, 3, { padding: 1 }), new ReLU(), new Conv2d(2, 3, { padding: 1 })]),
      new ReLU(),
      new Flatten(),
      new Dense(3),
    ],
    [1, 4, 4],
    { dtype: "float64", rng },
  );
  randomise(net, rng.split("v"), 0.5);
  const x = Float64Array.from(rng.normal(3 * 16)), y = [0, 2, 1];
  net.lossAndGrad(x, y, 3);
  assertCentralDifferences(() => net.loss(x, y, 3), net.store.value, net.store.grad.slice(), {
    indices: spread(net.store.size, 60),
    tol: 1e-6,
    label: "θ",
  });
});

Deno.test("IMP: per-tensor sparsity 1 − 0.8^r (last layer 1 − 0.9^r), biases kept, rounds recorded", () => {
  const rng = Rng.fromSeed(6);
  const net = mlpNet({ hidden: [20, 10] }, rng);
  const n = 200,
    x = Float32Array.from({ length: n * 784 }, () => rng.uniform()),
    y = Int32Array.from({ length: n }, (_, i) => i % 10);
  const cfg = {
    rounds: 3,
    rate: 0.2,
    epochs: 2,
    rewindEpochs: 1,
    lr: 0.05,
    momentum: 0.9,
    weightDecay: 1e-4,
    batch: 50,
  };
  const seen = imp(net, { x, y, n }, cfg, rng.split("imp"), (m, s) => {
    const ws = weightParams(m);
    const zeros = ws.map((p) => Array.from(p.value).filter((v) => v === 0).length / p.size);
    return { ...s, zeros };
  });
  assertEquals(seen.map((s) => s.round), [0, 1, 2, 3]);
  for (const s of seen) {
    s.zeros.forEach((z, t) => {
      const want = impSparsity(t === 2 ? 0.1 : 0.2, s.round);
      assert(Math.abs(z - want) < 0.01, `round ${s.round} tensor ${t}: ${z} vs ${want}`);
    });
  }
  assertAlmostEquals(impSparsity(0.2, 4), 1 - 0.8 ** 4, 1e-15);
  assert(net.paramList().filter((p) => p.name.endsWith("b")).every((p) => p.value.some((v) => v !== 0)), "biases");
});

Deno.test("path-norm-toolkit: smoke runs end to end; identities hold", async () => {
  const runs = await runSmokePoints(exp);
  assertEquals(runs.map((r) => r.run.method).sort(), ["mlp", "resnet"]);
  for (const { run, m } of runs) {
    assert(m.norm_order >= 1, `${run.method} norm order ${m.norm_order}`);
    assert(m.bound_first > 0 && m.pn1 > 0, JSON.stringify(m));
    if (run.method === "mlp") {
      assert(m.op_ratio_min >= 1, `product ≥ path-norm: ${m.op_ratio_min}`);
      assert(m.rescale_pn_rel < 1e-5 && m.rescale_fn_rel < 1e-4, JSON.stringify(m));
    }
  }
});
