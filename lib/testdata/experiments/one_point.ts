/**
 * The parts every one-point fixture module shares (faults, hostile): a paper stub, a config with one key, one grid
 * point at both scales and no data. A fixture spreads it and declares what it tests.
 */
import { z } from "zod";

/** Paper stub, config, scales and data of a fixture with a single run. */
export function onePoint(title: string) {
  return {
    paper: { title, authors: "Nobody", year: 2026 },
    config: z.object({ n: z.number().int().positive().default(1) }),
    scales: {
      smoke: { description: "one point", seeds: 1, grid: {} },
      paper: { description: "one point", seeds: 1, grid: {} },
    },
    data: () => 0,
  };
}
