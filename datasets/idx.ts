/**
 * The IDX file format of LeCun's MNIST (and Fashion-MNIST), parsed directly.
 *
 * An IDX file is a big-endian header — two zero bytes, a type byte (0x08 = unsigned byte), the number of
 * dimensions — then one 32-bit big-endian size per dimension, then the data in row-major order. Only the
 * unsigned-byte type is needed here; any other type, a wrong length or a bad magic throws with the reason.
 *
 * @example
 * ```ts
 * const { dims, data } = parseIdx(gunzipSync(Deno.readFileSync("train-images-idx3-ubyte.gz")));
 * // dims = [60000, 28, 28], data.length = 47040000
 * ```
 */

export interface Idx {
  /** Size of each dimension, outermost first. */
  dims: number[];
  /** The values, row-major (a view into the input bytes). */
  data: Uint8Array;
}

/** Parse an uncompressed IDX file of unsigned bytes. */
export function parseIdx(bytes: Uint8Array, what = "idx"): Idx {
  if (bytes.length < 4) throw new Error(`${what}: ${bytes.length} bytes is too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${what}: bad IDX magic (first two bytes must be zero)`);
  if (bytes[2] !== 0x08) {
    throw new Error(`${what}: IDX type 0x${bytes[2].toString(16)} is not unsigned byte (0x08)`);
  }
  const nd = bytes[3];
  const header = 4 + 4 * nd;
  if (bytes.length < header) throw new Error(`${what}: truncated IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + count) {
    throw new Error(`${what}: IDX holds ${bytes.length - header} values, its header says ${dims.join("×")}`);
  }
  return { dims, data: bytes.subarray(header) };
}

/** Encode an IDX file of unsigned bytes (for tests and small fixtures). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, header);
  return out;
}
