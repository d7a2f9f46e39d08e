/**
 * Claims: what a paper says, as executable checks with a kind, graded at the scales where they mean something.
 * See vocabulary.ts for the checks and evaluate.ts for how verdicts and a paper's status are derived.
 */
export * from "./types.ts";
export * from "./vocabulary.ts";
export * from "./evaluate.ts";
