/**
 * `deno task bench`: harness and kernel benchmarks, printing numbers (targets live here, not in tests).
 *
 *   deno task bench            harness + jax-js matmul + linear algebra (quick sizes)
 *   deno task bench --full     linear algebra at n = 256, 512, 1024 as well
 *   deno task bench --claims   only the papers' speed claims, per backend (bench/speed_claims.ts)
 *   deno task bench --nn       only the training-throughput table (bench/nn.ts)
 *   deno task bench --harness  only the harness table (runner overhead, store, cache)
 */
import { benchHarness, benchJaxMatmul, printRows } from "./harness.ts";

const full = Deno.args.includes("--full");
if (Deno.args.includes("--claims")) {
  const { benchSpeedClaims, printSpeedClaims } = await import("./speed_claims.ts");
  printSpeedClaims(await benchSpeedClaims());
  Deno.exit(0);
}
if (Deno.args.includes("--nn")) {
  const { benchNn } = await import("./nn.ts");
  await benchNn({ quick: !full });
  Deno.exit(0);
}
printRows("harness", await benchHarness());
if (Deno.args.includes("--harness")) Deno.exit(0);
printRows("jax-js matmul per backend", await benchJaxMatmul());
try {
  const { benchKernels } = await import("./kernels.ts");
  printRows("WGSL kernels on jax-js's WebGPU device (achieved vs measured peak)", await benchKernels());
} catch (e) {
  console.log(`\nWGSL kernel bench unavailable: ${(e as Error).message}`);
}
try {
  const { benchLinalg } = await import("./linalg.ts");
  await benchLinalg({ sizes: full ? [256, 512, 1024] : [256, 512], quick: !full });
} catch (e) {
  console.log(`\nlinear-algebra bench unavailable: ${(e as Error).message}`);
}
try {
  const { benchNn } = await import("./nn.ts");
  await benchNn({ quick: !full });
} catch (e) {
  console.log(`\ntraining-throughput bench unavailable: ${(e as Error).message}`);
}
Deno.exit(0);
