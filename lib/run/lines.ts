/** Text lines of a byte stream, as they arrive (the last one even without a newline): the run process protocol. */
export async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, nl);
      buf = buf.slice(nl + 1);
    }
  }
  if (buf) yield buf;
}

/**
 * The values of a JSON-lines file, in order; [] when the file is absent. A blank line, a torn one (an append cut
 * short by a kill) and one `accept` rejects (returns undefined or throws) are skipped.
 */
export function readJsonLines<T>(path: string | URL, accept: (value: unknown) => T | undefined): T[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return [];
  }
  const out: T[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const v = accept(JSON.parse(line));
      if (v !== undefined) out.push(v);
    } catch { /* torn or rejected: skip */ }
  }
  return out;
}
