/**
 * Real graphs from the example data that Debian's `python3-networkx` package installs (`apt-get install -y
 * python3-networkx`), read from /usr/share/doc/python3-networkx/examples. None is committed here; a loader
 * returns `null` when its file is absent, so callers can skip with a reason.
 *
 * - `wormnet`: WormNet v3 benchmark gene network of C. elegans (examples/algorithms/WormNet.v3.benchmark.txt),
 *   an edge list of gene names.
 * - `words`: Knuth's five-letter words graph (examples/graph/words_dat.txt.gz; The Stanford GraphBase), words
 *   joined when they differ in exactly one letter, as networkx's examples/graph/plot_words.py builds it.
 * - `roget`: Roget's Thesaurus cross-references (examples/graph/roget_dat.txt.gz; The Stanford GraphBase),
 *   undirected, as in networkx's examples/graph/plot_roget.py but ignoring direction.
 */
import { gunzipSync } from "node:zlib";
import { fromEdges, type Graph, parseEdgeList } from "./csr.ts";

/** Where Debian's python3-networkx installs its example data files. */
export const NETWORKX_EXAMPLES = "/usr/share/doc/python3-networkx/examples";
/** The real graphs read from the networkx example data. */
export type RealGraphName = "wormnet" | "words" | "roget";
/** Every real graph name, for sweeps. */
export const REAL_GRAPHS: readonly RealGraphName[] = ["wormnet", "words", "roget"];

const FILES: Record<RealGraphName, string> = {
  wormnet: "algorithms/WormNet.v3.benchmark.txt",
  words: "graph/words_dat.txt.gz",
  roget: "graph/roget_dat.txt.gz",
};

/** The path a real graph is read from. */
export function realGraphPath(name: RealGraphName, root = NETWORKX_EXAMPLES): string {
  return `${root}/${FILES[name]}`;
}

function readText(path: string): string | null {
  try {
    const bytes = Deno.readFileSync(path);
    return new TextDecoder().decode(path.endsWith(".gz") ? gunzipSync(bytes) : bytes);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** Load one of the networkx example graphs, or `null` when the Debian package's file is absent. */
export function loadRealGraph(name: RealGraphName, root = NETWORKX_EXAMPLES): Graph | null {
  const text = readText(realGraphPath(name, root));
  if (text === null) return null;
  if (name === "wormnet") return parseEdgeList(text).graph;
  if (name === "words") return wordsGraph(text);
  return rogetGraph(text);
}

/** Words differing in exactly one letter (lines "word*…"; '*' starts the frequency counts; '%' comments). */
export function wordsGraph(text: string): Graph {
  const words = text.split("\n").filter((l) => l.length >= 5 && !l.startsWith("*")).map((l) => l.slice(0, 5));
  const id = new Map(words.map((w, i) => [w, i]));
  const flat: number[] = [];
  const abc = "abcdefghijklmnopqrstuvwxyz";
  words.forEach((w, i) => {
    for (let k = 0; k < 5; k++) {
      for (const ch of abc) {
        if (ch === w[k]) continue;
        const j = id.get(w.slice(0, k) + ch + w.slice(k + 1));
        if (j !== undefined && j > i) flat.push(i, j);
      }
    }
  });
  return fromEdges(words.length, Int32Array.from(flat));
}

/** Roget's categories "NNNname:refs" (continuation lines end with a backslash; '*' lines are comments). */
export function rogetGraph(text: string): Graph {
  const joined = text.replace(/\\\n/g, " ");
  const flat: number[] = [];
  let maxId = 0;
  for (const line of joined.split("\n")) {
    if (line.startsWith("*")) continue;
    const m = /^(\d+)[^:]*:(.*)$/.exec(line.trim());
    if (!m) continue;
    const u = Number(m[1]) - 1;
    maxId = Math.max(maxId, u);
    for (const tok of m[2].trim().split(/\s+/)) {
      if (tok === "") continue;
      const v = Number(tok) - 1;
      if (!Number.isInteger(v) || v < 0) continue;
      maxId = Math.max(maxId, v);
      flat.push(u, v);
    }
  }
  return fromEdges(maxId + 1, Int32Array.from(flat));
}

/** Whether a networkx example graph's file is present. */
export function realGraphAvailable(name: RealGraphName, root = NETWORKX_EXAMPLES): boolean {
  try {
    return Deno.statSync(realGraphPath(name, root)).isFile;
  } catch {
    return false;
  }
}
