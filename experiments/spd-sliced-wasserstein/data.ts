/**
 * Inputs. Runtime: two independent sets of n draws of Wishart(df = d, I_d), as the official runtime script
 * (`D.Wishart(torch.tensor([d]), torch.eye(d))`). Quality: `pairs` pairs of measures whose distance grows along the
 * pairs: μ_k = Wishart(2d, I/(2d)) and ν_k = Wishart(2d, Σ_k/(2d)) with Σ_k = expm(s_k·S_k), S_k a random symmetric
 * direction of unit Frobenius norm and s_k = 1.5·k/(pairs − 1) (both means I and Σ_k), n draws each; with the exact
 * W_2² under the LE and AI costs of every pair as references.
 */
import { mat } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { aiCost, expm, leCost, type Spd, wishart } from "../../lib/math/spd/mod.ts";
import { emdUniform } from "../../lib/math/ot/mod.ts";

export interface Pair {
  xs: Spd[];
  ys: Spd[];
}
export interface Inputs {
  pairs: Pair[];
  /** Exact W_2² of each pair (quality study only). */
  refLE?: number[];
  refAI?: number[];
}

export function runtimeInputs(rng: Rng, o: { n: number; d: number }): Inputs {
  const { n, d } = o;
  return { pairs: [{ xs: wishart(rng.split("x"), { d, df: d, n }), ys: wishart(rng.split("y"), { d, df: d, n }) }] };
}

export function qualityInputs(rng: Rng, o: { n: number; d: number; pairs: number }): Inputs {
  const { n, d } = o, df = 2 * d, pairs: Pair[] = [];
  const eye = new Float64Array(d * d);
  for (let i = 0; i < d; i++) eye[i * d + i] = 1 / df;
  for (let k = 0; k < o.pairs; k++) {
    const r = rng.split(k), g = r.normal(d * d), s = new Float64Array(d * d);
    let nrm = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        s[i * d + j] = (g[i * d + j] + g[j * d + i]) / 2;
        nrm += s[i * d + j] ** 2;
      }
    }
    const step = o.pairs > 1 ? 1.5 * k / (o.pairs - 1) : 0, c = step / Math.sqrt(nrm);
    const sigma = expm(mat(d, d, s.map((v) => v * c)));
    pairs.push({
      xs: wishart(r.split("x"), { d, df, n, scale: mat(d, d, eye) }),
      ys: wishart(r.split("y"), { d, df, n, scale: mat(d, d, sigma.data.map((v) => v / df)) }),
    });
  }
  return {
    pairs,
    refLE: pairs.map((p) => emdUniform(leCost(p.xs, p.ys), n)),
    refAI: pairs.map((p) => emdUniform(aiCost(p.xs, p.ys), n)),
  };
}
