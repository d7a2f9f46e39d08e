import { z } from "zod";
import { atLeast, between, count, intAtLeast, intBetween, positive } from "./fields.ts";
import { assertEquals } from "./testdata/assert.ts";

/** What the CLI, validation and README see of a field: its JSON schema (bounds, default, description). */
const view = (s: z.ZodType) => z.toJSONSchema(z.object({ k: s }));

Deno.test("each field is the same schema as the zod chain it stands for", () => {
  assertEquals(view(count(5, "n")), view(z.number().int().positive().default(5).describe("n")));
  assertEquals(view(positive(0.1, "lr")), view(z.number().positive().default(0.1).describe("lr")));
  assertEquals(view(intAtLeast(2, 3, "k")), view(z.number().int().min(2).default(3).describe("k")));
  assertEquals(view(atLeast(0, 0.9, "m")), view(z.number().min(0).default(0.9).describe("m")));
  assertEquals(view(between(0, 1, 0.5, "p")), view(z.number().min(0).max(1).default(0.5).describe("p")));
  assertEquals(view(intBetween(1, 9, 4, "d")), view(z.number().int().min(1).max(9).default(4).describe("d")));
});

Deno.test("fields validate as zod does: bounds enforced, default filled in", () => {
  const cfg = z.object({ n: count(5, "n"), p: between(0, 1, 0.5, "p") });
  assertEquals(cfg.parse({}), { n: 5, p: 0.5 });
  assertEquals(cfg.safeParse({ n: 0 }).success, false);
  assertEquals(cfg.safeParse({ n: 2.5 }).success, false);
  assertEquals(cfg.safeParse({ p: 1.5 }).success, false);
});
