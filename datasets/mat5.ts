/**
 * MATLAB 5.0 MAT-files (the "Level 5" format that scipy's savemat and loadmat use), parsed directly: enough for
 * the numeric dense and sparse matrices that graph data sets ship in (e.g. BlogCatalog's `network` and `group`).
 *
 * Layout (MathWorks, "MAT-File Format", Level 5): a 128-byte header ending in the version 0x0100 and the
 * endian indicator "IM" (little-endian), then data elements. Each element has an 8-byte tag (type, byte count)
 * — or a 4-byte "small element" tag with up to 4 bytes of data — and is padded to 8 bytes. miCOMPRESSED (15)
 * wraps one zlib-compressed element; miMATRIX (14) holds array flags, dimensions, name and then, for a numeric
 * array, the real (and imaginary) parts in column-major order, or for a sparse array ir (row indices), jc
 * (column pointers) and the nonzero values. Only little-endian files, real arrays, and 2-D arrays are read.
 *
 * @example
 * ```ts
 * const vars = parseMat5(Deno.readFileSync("blogcatalog.mat"));
 * const a = vars.get("network")!; // { kind: "sparse", rows: 10312, cols: 10312, ir, jc, values }
 * ```
 */
import { inflateSync } from "node:zlib";

export type Mat5Var =
  | { kind: "dense"; name: string; rows: number; cols: number; data: Float64Array }
  | { kind: "sparse"; name: string; rows: number; cols: number; ir: Int32Array; jc: Int32Array; values: Float64Array };

const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
};
const SPARSE_CLASS = 5;

interface Element {
  type: number;
  data: Uint8Array;
  /** Offset of the next element. */
  next: number;
}

function readElement(buf: Uint8Array, off: number): Element {
  const view = new DataView(buf.buffer, buf.byteOffset + off, 8);
  const first = view.getUint32(0, true);
  if (first >>> 16 !== 0) {
    // small data element: size in the upper half, data in the next 4 bytes
    const size = first >>> 16, type = first & 0xffff;
    return { type, data: buf.subarray(off + 4, off + 4 + size), next: off + 8 };
  }
  const size = view.getUint32(4, true);
  const start = off + 8;
  if (start + size > buf.length) throw new Error(`mat5: element at byte ${off} runs past the end`);
  const padded = first === MI.COMPRESSED ? size : (size + 7) & ~7;
  return { type: first, data: buf.subarray(start, start + size), next: start + padded };
}

function numbers(e: Element): Float64Array {
  const b = e.data, v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const width: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };
  const w = width[e.type];
  if (w === undefined) throw new Error(`mat5: numeric element type ${e.type} is not supported`);
  const n = b.byteLength / w, out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * w;
    switch (e.type) {
      case MI.INT8:
        out[i] = v.getInt8(o);
        break;
      case MI.UINT8:
        out[i] = v.getUint8(o);
        break;
      case MI.INT16:
        out[i] = v.getInt16(o, true);
        break;
      case MI.UINT16:
        out[i] = v.getUint16(o, true);
        break;
      case MI.INT32:
        out[i] = v.getInt32(o, true);
        break;
      case MI.UINT32:
        out[i] = v.getUint32(o, true);
        break;
      case MI.SINGLE:
        out[i] = v.getFloat32(o, true);
        break;
      case MI.DOUBLE:
        out[i] = v.getFloat64(o, true);
        break;
      case MI.INT64:
        out[i] = Number(v.getBigInt64(o, true));
        break;
      default:
        out[i] = Number(v.getBigUint64(o, true));
    }
  }
  return out;
}

function parseMatrix(buf: Uint8Array): Mat5Var | null {
  const flags = readElement(buf, 0);
  const f0 = new DataView(flags.data.buffer, flags.data.byteOffset, 8).getUint32(0, true);
  const cls = f0 & 0xff, complex = (f0 & 0x800) !== 0;
  const dimsEl = readElement(buf, flags.next);
  const dims = numbers(dimsEl);
  const nameEl = readElement(buf, dimsEl.next);
  const name = new TextDecoder().decode(nameEl.data);
  if (dims.length !== 2 || complex) return null;
  const [rows, cols] = dims;
  if (cls === SPARSE_CLASS) {
    const ir = readElement(buf, nameEl.next), jc = readElement(buf, ir.next);
    const jcv = Int32Array.from(numbers(jc));
    const nnz = jcv[cols];
    let values: Float64Array;
    if (jc.next < buf.length) values = numbers(readElement(buf, jc.next)).slice(0, nnz);
    else values = new Float64Array(nnz).fill(1);
    return { kind: "sparse", name, rows, cols, ir: Int32Array.from(numbers(ir)).slice(0, nnz), jc: jcv, values };
  }
  if (cls >= 6 && cls <= 15) {
    return { kind: "dense", name, rows, cols, data: numbers(readElement(buf, nameEl.next)) };
  }
  return null; // cells, structs, chars: not needed here
}

/** Every real 2-D numeric or sparse variable of a Level 5 MAT-file, by name. */
export function parseMat5(bytes: Uint8Array): Map<string, Mat5Var> {
  if (bytes.length < 128) throw new Error("mat5: shorter than the 128-byte header");
  const head = new TextDecoder().decode(bytes.subarray(0, 10));
  if (!head.startsWith("MATLAB 5.0")) throw new Error("mat5: not a MATLAB 5.0 MAT-file");
  if (bytes[126] !== 0x49 || bytes[127] !== 0x4d) throw new Error("mat5: only little-endian ('IM') files are read");
  const out = new Map<string, Mat5Var>();
  let off = 128;
  while (off + 8 <= bytes.length) {
    let e = readElement(bytes, off);
    off = e.next;
    if (e.type === MI.COMPRESSED) e = readElement(new Uint8Array(inflateSync(e.data)), 0);
    if (e.type !== MI.MATRIX) continue;
    const v = parseMatrix(e.data);
    if (v) out.set(v.name, v);
  }
  return out;
}
