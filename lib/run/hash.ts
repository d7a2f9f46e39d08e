/** Canonical JSON and content hashes: the basis of run keys and cache addresses. */
import { createHash } from "node:crypto";

/** JSON with object keys sorted at every depth, so equal configs always serialize equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** The SHA-256 of a string or bytes as hex, for run keys, code versions and cache checksums. */
export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A short stable key (16 hex chars) of any JSON-able value. */
export function keyOf(value: unknown): string {
  return sha256(canonicalJson(value)).slice(0, 16);
}
