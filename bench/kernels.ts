/**
 * WGSL kernel throughput on jax-js's WebGPU device: the device's measured peak (an FMA-throughput microkernel in
 * GFLOP/s and a copy kernel in GB/s), and a kernel that matters to a reproduced paper — the O(n)-equivariant layer of
 * brauer-equivariant-fastmul (Pearce-Crump 2023) applied diagram by diagram without forming the weight matrix,
 * checked against the float64 factored algorithm of that experiment and reported as a fraction of the measured peak.
 * Every row names the adapter (here usually llvmpipe, a software rasterizer: slow but correct).
 *
 *   deno run --allow-read --allow-env --allow-ffi --allow-sys bench/kernels.ts
 */
import { getWebGPUDevice, init } from "@jax-js/jax";
import { probeMachine } from "../lib/run/backend.ts";
import { median } from "../lib/math/stats.ts";
import { Rng } from "../lib/math/rng.ts";
import { denseMatrix, spanningDiagrams } from "../experiments/brauer-equivariant-fastmul/diagrams.ts";
import { factor, factoredLayer } from "../experiments/brauer-equivariant-fastmul/factored.ts";

export interface KernelRow {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

// deno-lint-ignore no-explicit-any
type GPU = any;

/** Median wall time (ms) of `reps` submissions of one compute pass, after one warm-up. */
async function timeDispatch(
  device: GPU,
  pipeline: GPU,
  bind: GPU,
  groups: [number, number?, number?],
  reps = 5,
): Promise<number> {
  const run = async () => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(...groups);
    pass.end();
    const t = performance.now();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    return performance.now() - t;
  };
  await run();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) ts.push(await run());
  return median(ts);
}

function pipelineOf(device: GPU, code: string): GPU {
  const module = device.createShaderModule({ code });
  return device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" } });
}

function buffer(device: GPU, data: ArrayBufferView | number, usage: number): GPU {
  const size = typeof data === "number" ? data : data.byteLength;
  const buf = device.createBuffer({ size: Math.max(16, Math.ceil(size / 16) * 16), usage });
  if (typeof data !== "number") device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
  return buf;
}

async function readBack(device: GPU, src: GPU, bytes: number): Promise<Float32Array> {
  const dst = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, 0, dst, 0, bytes);
  device.queue.submit([enc.finish()]);
  await dst.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(dst.getMappedRange().slice(0));
  dst.unmap();
  dst.destroy();
  return out;
}

const STORAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** Peak FMA throughput: 8 independent vec4 FMA chains per invocation, `iters` rounds. */
async function fmaPeak(device: GPU): Promise<{ gflops: number; ms: number }> {
  const wg = 64, groups = 256, iters = 2048, chains = 8;
  const code = `
@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>;
@compute @workgroup_size(${wg})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let s = f32(gid.x) * 1e-7;
  let m = vec4<f32>(0.9999, 0.9998, 0.9997, 0.9996);
  let c = vec4<f32>(1e-4, 2e-4, 3e-4, 4e-4);
  ${Array.from({ length: chains }, (_, i) => `var a${i} = vec4<f32>(s + ${i}.0);`).join("\n  ")}
  for (var i = 0u; i < ${iters}u; i = i + 1u) {
    ${Array.from({ length: chains }, (_, i) => `a${i} = fma(a${i}, m, c);`).join("\n    ")}
  }
  out[gid.x] = ${Array.from({ length: chains }, (_, i) => `a${i}`).join(" + ")};
}`;
  const out = buffer(device, wg * groups * 16, STORAGE());
  const pipeline = pipelineOf(device, code);
  const bind = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: out } }],
  });
  const ms = await timeDispatch(device, pipeline, bind, [groups]);
  out.destroy();
  const flops = wg * groups * iters * chains * 4 * 2;
  return { gflops: flops / (ms / 1000) / 1e9, ms };
}

/**
 * Copy bandwidth: `mb` MiB copied as vec4s (bytes read + written over time), best of two layouts: one vec4 per
 * invocation, or a contiguous run of `chunk` vec4s per invocation (what a CPU-backed adapter such as llvmpipe favours).
 */
async function copyBandwidth(device: GPU, mb = 64): Promise<{ gbs: number; ms: number; layout: string }> {
  const count = (mb * 2 ** 20) / 16, wg = 64;
  const src = buffer(device, new Float32Array(count * 4).fill(1), STORAGE());
  const dst = buffer(device, count * 16, STORAGE());
  let best = { gbs: 0, ms: Infinity, layout: "" };
  for (const chunk of [1, 64, 1024]) {
    const code = `
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
@compute @workgroup_size(${wg})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let start = (gid.x + gid.y * nw.x * ${wg}u) * ${chunk}u;
  for (var i = start; i < min(start + ${chunk}u, ${count}u); i++) { dst[i] = src[i]; }
}`;
    const pipeline = pipelineOf(device, code);
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: src } }, { binding: 1, resource: { buffer: dst } }],
    });
    const total = Math.ceil(count / chunk / wg), gx = Math.min(total, 65535), gy = Math.ceil(total / gx);
    const ms = await timeDispatch(device, pipeline, bind, [gx, gy]);
    const gbs = (2 * mb * 2 ** 20) / (ms / 1000) / 1e9;
    if (gbs > best.gbs) {
      best = { gbs, ms, layout: chunk === 1 ? "one vec4 per invocation" : `${chunk} vec4 per invocation` };
    }
  }
  src.destroy();
  dst.destroy();
  return best;
}

/**
 * The O(n)-equivariant layer y = Σ_d λ_d E_d v over every (k, l)-Brauer diagram, one invocation per output entry:
 * for each diagram, top pairs must carry equal indices (the copy step), top–bottom pairs pass an index through (the
 * transfer), bottom pairs are summed over (the contraction) — the planar MatrixMult, fused per output entry.
 */
async function brauerLayer(device: GPU, n: number, order: number, seed = 0) {
  const k = order, l = order, R = 2 * l + 1 + Math.floor(k / 2);
  const diagrams = spanningDiagrams("O_n", k, l);
  const plans = diagrams.map((d) => factor("O_n", d, n));
  const rng = Rng.fromSeed(seed);
  const lambdas = rng.split("lambda").normal(diagrams.length), v = rng.split("v").normal(n ** k);
  // Record per diagram: crossStride[l] (input stride of the axis each top vertex passes to, 0 if in a top pair),
  // partner[l] (the other vertex of its top pair, or 0xffffffff), nb, bottom pair strides[k/2].
  const rec = new Uint32Array(R * diagrams.length);
  const inStride = (axis: number) => n ** (k - 1 - axis);
  let usefulFlops = 0;
  diagrams.forEach((d, i) => {
    const r = rec.subarray(i * R, (i + 1) * R);
    r.fill(0, 0, l);
    r.fill(0xffffffff, l, 2 * l);
    const bottom: number[] = [];
    let tops = 0, cross = 0;
    for (const [a, b] of d.blocks) {
      if (b < l) (r[l + a] = b, r[l + b] = a, tops++);
      else if (a < l) (r[a] = inStride(b - l), cross++);
      else bottom.push(inStride(a - l) + inStride(b - l));
    }
    r[2 * l] = bottom.length;
    bottom.forEach((s, m) => (r[2 * l + 1 + m] = s));
    usefulFlops += 2 * n ** (tops + cross + bottom.length);
  });
  const code = `
@group(0) @binding(0) var<storage, read> v: array<f32>;
@group(0) @binding(1) var<storage, read> rec: array<u32>;
@group(0) @binding(2) var<storage, read> lam: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
const N = ${n}u; const L = ${l}u; const R = ${R}u; const D = ${diagrams.length}u; const OUT = ${n ** l}u;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o = gid.x;
  if (o >= OUT) { return; }
  var idx: array<u32, ${l}>;
  var rest = o;
  for (var t = 0u; t < L; t++) { idx[L - 1u - t] = rest % N; rest = rest / N; }
  var acc = 0.0;
  for (var d = 0u; d < D; d++) {
    let b = d * R;
    var ok = true;
    var base = 0u;
    for (var t = 0u; t < L; t++) {
      let p = rec[b + L + t];
      if (p != 0xffffffffu) { if (idx[p] != idx[t]) { ok = false; } }
      else { base += idx[t] * rec[b + t]; }
    }
    if (!ok) { continue; }
    let nb = rec[b + 2u * L];
    var terms = 1u;
    for (var m = 0u; m < nb; m++) { terms *= N; }
    var s = 0.0;
    for (var c = 0u; c < terms; c++) {
      var off = base; var r2 = c;
      for (var m = 0u; m < nb; m++) { off += (r2 % N) * rec[b + 2u * L + 1u + m]; r2 = r2 / N; }
      s += v[off];
    }
    acc = fma(lam[d], s, acc);
  }
  y[o] = acc;
}`;
  const bufV = buffer(device, Float32Array.from(v), STORAGE());
  const bufR = buffer(device, rec, STORAGE());
  const bufL = buffer(device, Float32Array.from(lambdas), STORAGE());
  const bufY = buffer(device, n ** l * 4, STORAGE());
  const pipeline = pipelineOf(device, code);
  const bind = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [bufV, bufR, bufL, bufY].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const ms = await timeDispatch(device, pipeline, bind, [Math.ceil(n ** l / 64)]);
  const y = await readBack(device, bufY, n ** l * 4);
  const ref = factoredLayer(plans, lambdas, n, v);
  const relErr = (got: Float32Array) => {
    let err = 0, scale = 0;
    ref.forEach((r, i) => (err = Math.max(err, Math.abs(got[i] - r)), scale = Math.max(scale, Math.abs(r))));
    return err / scale;
  };
  // The naive baseline on the same device: the dense n^l × n^k matrix (built on the host, float32), one row per
  // invocation.
  const rows = n ** l, cols = n ** k;
  const W = Float32Array.from(denseMatrix("O_n", diagrams, lambdas, n));
  const bufW = buffer(device, W, STORAGE());
  const gemv = pipelineOf(
    device,
    `
@group(0) @binding(0) var<storage, read> w: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= ${rows}u) { return; }
  var acc = vec4<f32>(0.0);
  for (var j = 0u; j < ${cols / 4}u; j++) { acc = fma(w[i * ${cols / 4}u + j], x[j], acc); }
  out[i] = acc.x + acc.y + acc.z + acc.w;
}`,
  );
  const bindG = device.createBindGroup({
    layout: gemv.getBindGroupLayout(0),
    entries: [bufW, bufV, bufY].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const msNaive = await timeDispatch(device, gemv, bindG, [Math.ceil(rows / 64)], 3);
  const errNaive = relErr(await readBack(device, bufY, rows * 4));
  for (const b of [bufV, bufR, bufL, bufY, bufW]) b.destroy();
  // The naive dense product would read n^(l+k) entries: 2 n^(l+k) flops.
  return {
    ms,
    msNaive,
    errNaive,
    naiveGflops: 2 * rows * cols / (msNaive / 1000) / 1e9,
    gflops: usefulFlops / (ms / 1000) / 1e9,
    relErr: relErr(y),
    diagrams: diagrams.length,
    naiveFlops: 2 * n ** (l + k),
    usefulFlops,
  };
}

export async function benchKernels(): Promise<KernelRow[]> {
  const devices = await init();
  if (!devices.includes("webgpu")) {
    return [{ name: "WebGPU kernels", value: NaN, unit: "", note: "no WebGPU adapter in this runtime" }];
  }
  const device = getWebGPUDevice();
  const machine = await probeMachine();
  const adapter = `adapter: ${machine.webgpu.description}${machine.webgpu.software ? " (software)" : ""}`;
  const rows: KernelRow[] = [];
  const fma = await fmaPeak(device);
  rows.push({ name: "WGSL peak: vec4 FMA throughput (f32)", value: fma.gflops, unit: "GFLOP/s", note: adapter });
  const bw = await copyBandwidth(device);
  rows.push({
    name: "WGSL peak: copy bandwidth (64 MiB, read + write)",
    value: bw.gbs,
    unit: "GB/s",
    note: `best layout: ${bw.layout}; ${adapter}`,
  });
  for (const [n, order] of [[8, 3], [8, 4]] as const) {
    const b = await brauerLayer(device, n, order);
    const tag = `O(n) layer n=${n} k=l=${order}, ${b.diagrams} Brauer diagrams`;
    rows.push({
      name: `brauer WGSL: ${tag}`,
      value: b.gflops,
      unit: "GFLOP/s",
      note: `${(100 * b.gflops / fma.gflops).toFixed(1)}% of FMA peak; ${b.ms.toFixed(2)} ms; max rel err vs float64 ` +
        `${b.relErr.toExponential(1)}; naive dense would be ${(b.naiveFlops / b.usefulFlops).toFixed(0)}× the flops; ` +
        adapter,
    });
    rows.push({
      name: `brauer WGSL: ${tag}, max rel error vs float64 factored`,
      value: b.relErr,
      unit: "",
      note: b.relErr < 1e-4 ? "ok (float32)" : "TOO LARGE",
    });
    rows.push({
      name: `brauer WGSL: same layer as a dense GEMV (naive, ${n ** order}×${n ** order})`,
      value: b.naiveGflops,
      unit: "GFLOP/s",
      note: `${(100 * b.naiveGflops / fma.gflops).toFixed(1)}% of FMA peak; ${b.msNaive.toFixed(2)} ms = ` +
        `${(b.msNaive / b.ms).toFixed(1)}× the factored kernel's time; ${
          (2 * 4 * n ** (2 * order) / (b.msNaive / 1000) / 1e9).toFixed(2)
        } GB/s; ` +
        `max rel err ${b.errNaive.toExponential(1)}; ${adapter}`,
    });
  }
  return rows;
}

if (import.meta.main) {
  const { printRows } = await import("./harness.ts");
  printRows("WGSL kernels", await benchKernels());
  Deno.exit(0);
}
