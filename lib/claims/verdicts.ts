/**
 * Paper-scale verdicts: the committed evidence a paper's status comes from.
 *
 * `deno task verify <id>` runs the paper scale (resuming into `results/paper/<id>.duckdb`), evaluates every
 * claim, and writes `results/verdicts/<id>.json`: scale, seeds, commit, code version, machine, backends, and per
 * backend set each claim's kind, verdict, measured value and the paper's value with its source. The catalog
 * status of a built paper is derived from that file alone ({@link verdictStatus}); a test keeps them in step.
 */
import type { ClaimResult } from "./types.ts";
import { type PaperStatus, paperStatus } from "./evaluate.ts";
import type { MachineRecord } from "../run/versions.ts";

import { EXPERIMENTS_DIR } from "../run/registry.ts";

/** results/verdicts beside the experiments folder (the tests' toy folder keeps its own). */
export const VERDICT_DIR = new URL("../results/verdicts/", EXPERIMENTS_DIR);

/**
 * The committed evidence of one paper-scale verification (results/verdicts/<id>.json), from which the catalog status is
 * derived.
 */
export interface VerdictFile {
  experiment: string;
  scale: string;
  seeds: number[];
  created: string;
  git_commit: string;
  code_version: string;
  machine: MachineRecord;
  /** Per method: backend (device). */
  backends: Record<string, string>;
  runs: { planned: number; ok: number; failed: number; timeout: number; skipped: number };
  wall_s: number;
  /** 1-minute load average at the start and end of the sweep: timing claims measured under load read slower. */
  load_avg?: [number, number];
  /** One verdict set per backend set (a method run on several backends is never pooled). */
  sets: { label: string; claims: ClaimResult[] }[];
  status: PaperStatus;
  reason: string;
}

/** Status and reason from the first (the default-backend) verdict set. */
export function statusOf(sets: VerdictFile["sets"], seeds: number): { status: PaperStatus; reason: string } {
  return paperStatus(sets[0]?.claims ?? [], seeds);
}

/** A paper's verdict file, or null when it has none (not verified yet). */
export function readVerdict(id: string, dir: URL = VERDICT_DIR): VerdictFile | null {
  try {
    return JSON.parse(Deno.readTextFileSync(new URL(`${id}.json`, dir)));
  } catch {
    return null;
  }
}

/** Write a verdict file (one per experiment) and return its path, for `deno task verify`. */
export function writeVerdict(v: VerdictFile, dir: URL = VERDICT_DIR): string {
  Deno.mkdirSync(dir, { recursive: true });
  const url = new URL(`${v.experiment}.json`, dir);
  Deno.writeTextFileSync(url, JSON.stringify(v, null, 1) + "\n");
  return url.pathname;
}

/**
 * The catalog status a built paper earns: "<status>: <reason>" from its verdict file, or "in progress" when no
 * paper-scale verdict is committed yet.
 */
export function verdictStatus(v: VerdictFile | null): string {
  if (!v) return "in progress";
  const { status, reason } = statusOf(v.sets, v.seeds.length);
  return `${status}: ${reason}`;
}

/** The 1-minute load average, or NaN where it cannot be read (needs --allow-sys). */
export function loadAverage(): number {
  try {
    return Deno.loadavg()[0];
  } catch {
    return NaN;
  }
}
