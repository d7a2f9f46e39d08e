/**
 * One equivariant layer W = Σ_d λ_d M_d between (Rⁿ)^⊗k and (Rⁿ)^⊗l: its inputs, and the two ways to apply it —
 * naive (the dense n^l × n^k matrix times v) and factored (one MatrixMult per diagram) — per backend.
 * `native`: float64 (OpenBLAS dgemm for the naive product, plain TypeScript loops for the factored one);
 * `wasm` / `webgpu`: jax-js float32, W and the plans' index patterns uploaded once per input and reused.
 */
import { jit, numpy as np } from "@jax-js/jax";
import type { Backend } from "../../lib/experiment.ts";
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { denseMatrix, type Diagram, type Group, spanningDiagrams } from "./diagrams.ts";
import { factor, factoredCost, factoredLayer, type Plan } from "./factored.ts";
import { disposePlans, factoredLayerJax, uploadPlans } from "./factored_jax.ts";

export interface LayerData {
  group: Group;
  n: number;
  k: number;
  l: number;
  /** Size of the full spanning set (diagrams may be a sample of it). */
  spanning: number;
  diagrams: Diagram[];
  plans: Plan[];
  lambdas: Float64Array;
  v: Float64Array;
  /** The dense weight matrix (n^l × n^k, row-major), or null above `maxDense` entries. */
  W: Float64Array | null;
  /** float64 reference output: W·v by plain loops when W exists, else the float64 factored product. */
  yRef: Float64Array;
  refIsDense: boolean;
}

/** Sample the layer: diagrams (all, or `maxDiagrams` drawn without replacement), λ ~ N(0,1), v ~ N(0,1). */
export function makeLayer(
  p: { group: Group; n: number; k: number; l: number; maxDiagrams: number; maxDense: number },
  rng: Rng,
): LayerData {
  const all = spanningDiagrams(p.group, p.k, p.l);
  const pick = all.length > p.maxDiagrams
    ? Array.from(rng.split("diagrams").permutation(all.length)).slice(0, p.maxDiagrams).sort((a, b) => a - b)
      .map((i) => all[i])
    : all;
  const lambdas = rng.split("lambda").normal(pick.length);
  const v = rng.split("v").normal(p.n ** p.k);
  const plans = pick.map((d) => factor(p.group, d, p.n));
  const dense = p.n ** (p.l + p.k) <= p.maxDense && pick.length > 0;
  const W = dense ? denseMatrix(p.group, pick, lambdas, p.n) : null;
  let yRef: Float64Array;
  if (W) {
    const rows = p.n ** p.l, cols = p.n ** p.k;
    yRef = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += W[i * cols + j] * v[j];
      yRef[i] = s;
    }
  } else {
    yRef = factoredLayer(plans, lambdas, p.n, v);
  }
  return { ...p, spanning: all.length, diagrams: pick, plans, lambdas, v, W, yRef, refIsDense: dense };
}

/** Entries the naive product reads (n^(l+k)) and the factored one touches (Σ over diagrams, factored.ts). */
export const naiveCost = (d: LayerData) => d.n ** (d.l + d.k);
export const layerFactoredCost = (d: LayerData) => d.plans.reduce((s, p) => s + factoredCost(p, d.n), 0);

// Device-resident inputs of the current layer (one slot: a new layer or backend disposes the old one).
type Arr = ReturnType<typeof np.array>;
let slot: {
  data: LayerData;
  backend: Backend;
  v: Arr;
  W: Arr | null;
  factored: ((v: Arr) => Arr) | null;
  free: () => void;
} | null = null;

function onDevice(d: LayerData, backend: Backend) {
  if (slot && slot.data === d && slot.backend === backend) return slot;
  slot?.free();
  const v = np.array(Float32Array.from(d.v));
  const W = d.W ? np.array(Float32Array.from(d.W)).reshape([d.n ** d.l, d.n ** d.k]) : null;
  const consts = uploadPlans(d.plans, d.n, np.float32);
  const factored = jit((x: Arr) => factoredLayerJax(d.plans, consts, d.lambdas, d.n, x));
  slot = {
    data: d,
    backend,
    v,
    W,
    factored,
    free: () => {
      v.dispose();
      W?.dispose();
      disposePlans(consts);
      factored.dispose?.();
    },
  };
  return slot;
}

/** A method's output: the layer's output and the entries its algorithm touches. */
export interface LayerOut {
  y: Float64Array;
  cost: number;
}

/** The naive product y = W·v. */
export async function naive(d: LayerData, backend: Backend): Promise<LayerOut> {
  return { y: await naiveY(d, backend), cost: naiveCost(d) };
}

/** The factored product: one MatrixMult per diagram (paper Sec. 4–5). */
export async function factored(d: LayerData, backend: Backend): Promise<LayerOut> {
  return { y: await factoredY(d, backend), cost: layerFactoredCost(d) };
}

async function naiveY(d: LayerData, backend: Backend): Promise<Float64Array> {
  if (!d.W) throw new Error("no dense matrix at this size (n^(l+k) > maxDense)");
  if (backend === "native" || backend === "cpu") {
    const la = getLinalg(backend === "native" ? "native" : "js");
    return la.matmul(mat(d.n ** d.l, d.n ** d.k, d.W), mat(d.n ** d.k, 1, d.v)).data as Float64Array;
  }
  const s = onDevice(d, backend);
  const y = np.matmul(s.W!.ref, s.v.ref.reshape([-1, 1]));
  return Float64Array.from(await y.data());
}

async function factoredY(d: LayerData, backend: Backend): Promise<Float64Array> {
  if (backend === "native" || backend === "cpu") return factoredLayer(d.plans, d.lambdas, d.n, d.v);
  const s = onDevice(d, backend);
  return Float64Array.from(await s.factored!(s.v.ref).data());
}
