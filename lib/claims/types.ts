/** The shape of a claim, as experiment modules declare it and the evaluator reads it. */
import type { ResultSet } from "./results.ts";

/**
 * What a claim is evidence of:
 * - `paper`: a statement the paper makes. Only these decide a paper's status.
 * - `identity`: true by mathematics; a correctness check of our code (an exact formula, a residual at rounding).
 * - `sanity`: a property of the setup (a baseline behaves as known, a generator has the intended spectrum).
 */
export type ClaimKind = "paper" | "identity" | "sanity";
/** Every claim kind, so that module validation can refuse any other. */
export const CLAIM_KINDS: readonly ClaimKind[] = ["paper", "identity", "sanity"];

/** Where a number or statement comes from: a URL, and where in it (table, figure, file and line). */
export interface Source {
  url: string;
  where?: string;
}

/** A check's outcome: whether the claim holds, the measured value to show beside the paper's, and detail on why. */
export interface ClaimVerdict {
  /** The measured value, as a reader should see it next to the paper's. */
  measured: string;
  pass: boolean;
  detail?: string;
}

/** A claim's check: a pure function of the results. Vocabulary checks also name the metrics they read. */
export type Check = ((results: ResultSet) => ClaimVerdict) & { metrics?: readonly string[] };

/**
 * One checkable statement of a module: its kind, statement, the paper's value with source, and the check over the
 * results.
 */
export interface Claim {
  id: string;
  kind: ClaimKind;
  /** The statement, in the paper's terms for `paper` claims; say what is ours for the other kinds. */
  statement: string;
  /** What the paper reports for it, with its source. */
  paper?: { value: string; source: Source };
  /** The claim depends on wall-clock time: a flip in `check` warns instead of failing. */
  timing?: boolean;
  /**
   * Scales at which the verdict means something (default: every scale; timing claims: `paper` only). Elsewhere
   * the claim is evaluated and shown, but not graded and not compared by `check`.
   */
  scales?: readonly string[];
  check: Check;
}

/** A claim evaluated over one set of results. */
export interface ClaimResult {
  id: string;
  kind: ClaimKind;
  statement: string;
  paper?: { value: string; source: Source };
  measured: string;
  pass: boolean;
  /** False where the claim's scales exclude the evaluated scale: shown, not graded. */
  graded: boolean;
  detail?: string;
  timing: boolean;
}
