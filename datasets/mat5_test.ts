import { deflateSync } from "node:zlib";
import { assertEquals } from "../lib/testdata/assert.ts";
import { parseMat5 } from "./mat5.ts";

/** One element: tag + data padded to 8 bytes. */
function el(type: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + ((data.length + 7) & ~7));
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}
const cat = (...xs: Uint8Array[]) => {
  const out = new Uint8Array(xs.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const x of xs) (out.set(x, o), o += x.length);
  return out;
};
const i32 = (xs: number[]) => new Uint8Array(Int32Array.from(xs).buffer);
const f64 = (xs: number[]) => new Uint8Array(Float64Array.from(xs).buffer);

function matrix(name: string, cls: number, dims: number[], parts: Uint8Array[]): Uint8Array {
  const flags = new Uint8Array(8);
  new DataView(flags.buffer).setUint32(0, cls, true);
  return el(14, cat(el(6, flags), el(5, i32(dims)), el(1, new TextEncoder().encode(name)), ...parts));
}

function header(): Uint8Array {
  const h = new Uint8Array(128).fill(0x20);
  h.set(new TextEncoder().encode("MATLAB 5.0 MAT-file, test"), 0);
  h[124] = 0x00, h[125] = 0x01, h[126] = 0x49, h[127] = 0x4d;
  return h;
}

Deno.test("mat5: a dense double matrix and a compressed sparse matrix round-trip", () => {
  // dense 2×3, column-major [1 3 5; 2 4 6]
  const dense = matrix("A", 6, [2, 3], [el(9, f64([1, 2, 3, 4, 5, 6]))]);
  // sparse 3×2: (0,0)=1, (2,0)=2, (1,1)=3
  const sparse = matrix("S", 5, [3, 2], [el(5, i32([0, 2, 1])), el(5, i32([0, 2, 3])), el(9, f64([1, 2, 3]))]);
  const compressed = el(15, new Uint8Array(deflateSync(sparse)));
  const vars = parseMat5(
    cat(header(), dense, compressed.subarray(0, 8 + new DataView(compressed.buffer).getUint32(4, true))),
  );
  const a = vars.get("A")!;
  assertEquals(a.kind === "dense" && Array.from(a.data), [1, 2, 3, 4, 5, 6]);
  const s = vars.get("S")!;
  if (s.kind !== "sparse") throw new Error("S should be sparse");
  assertEquals([s.rows, s.cols], [3, 2]);
  assertEquals(Array.from(s.ir), [0, 2, 1]);
  assertEquals(Array.from(s.jc), [0, 2, 3]);
  assertEquals(Array.from(s.values), [1, 2, 3]);
});

Deno.test("mat5: rejects files that are not Level 5 little-endian", () => {
  let msg = "";
  try {
    parseMat5(new Uint8Array(200));
  } catch (e) {
    msg = (e as Error).message;
  }
  assertEquals(msg.includes("MATLAB 5.0"), true);
});
