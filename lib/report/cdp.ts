/**
 * Drive headless Chromium over the DevTools protocol (for the exploration page's browser test and screenshots):
 * start it with a fresh profile and no background traffic, open one page, record its console errors, exceptions
 * and every request it makes.
 */

/** Where the Debian chromium binary lives; the only browser the tests and screenshots drive. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether the Debian chromium binary is installed (the browser test skips without it). */
export function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/**
 * What a page did while open (requests, console errors, uncaught exceptions), for tests to assert it stayed offline and
 * error-free.
 */
export interface PageEvents {
  requests: string[];
  consoleErrors: string[];
  exceptions: string[];
}

/** A headless Chromium process driven over the DevTools protocol: start it, open pages, close it. */
export class Browser {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private listeners: ((msg: any) => void)[] = [];
  private closed = false;

  private constructor(
    private child: Deno.ChildProcess,
    private ws: WebSocket,
    private profile: string,
  ) {
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data as string);
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(`${msg.error.message} (${msg.error.code})`));
        else p?.resolve(msg.result);
      } else for (const l of this.listeners) l(msg);
    };
  }

  /** Start Chromium headless on a free debugging port; `allowFiles` adds --allow-file-access-from-files. */
  static async launch(opts: { allowFiles?: boolean } = {}): Promise<Browser> {
    const profile = Deno.makeTempDirSync({ prefix: "repro-chromium-" });
    const child = new Deno.Command(CHROMIUM, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        `--user-data-dir=${profile}`,
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        ...(opts.allowFiles ? ["--allow-file-access-from-files"] : []),
        "about:blank",
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" on stderr.
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const deadline = Date.now() + 20_000;
    let url: string | undefined;
    while (!url) {
      const r = await Promise.race([
        reader.read(),
        new Promise<{ done: true; value: undefined }>((res) =>
          setTimeout(() => res({ done: true, value: undefined }), Math.max(0, deadline - Date.now()))
        ),
      ]);
      if (r.done) {
        child.kill();
        throw new Error(`chromium did not start:\n${text.slice(-2000)}`);
      }
      text += r.value;
      url = /DevTools listening on (ws:\/\/\S+)/.exec(text)?.[1];
    }
    // Keep draining stderr so Chromium never blocks on a full pipe.
    (async () => {
      try {
        while (!(await reader.read()).done) { /* drain */ }
      } catch { /* closed */ }
    })();
    const ws = new WebSocket(url);
    await new Promise<void>((res, rej) => {
      ws.onopen = () => res();
      ws.onerror = () => rej(new Error(`cannot connect to ${url}`));
    });
    return new Browser(child, ws, profile);
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<any> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  /** Open a page, record what it does, and navigate to `url`. */
  async open(url: string): Promise<Page> {
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true });
    const events: PageEvents = { requests: [], consoleErrors: [], exceptions: [] };
    // The page and the workers it starts (DuckDB's fetches its wasm): each gets its own session.
    const sessions = new Set([sessionId]);
    this.listeners.push((msg) => {
      if (!sessions.has(msg.sessionId)) return;
      const p = msg.params;
      if (msg.method === "Target.attachedToTarget") {
        const child = p.sessionId;
        sessions.add(child);
        (async () => {
          for (const domain of ["Network", "Runtime"]) await this.send(`${domain}.enable`, {}, child).catch(() => {});
          await this.send("Runtime.runIfWaitingForDebugger", {}, child).catch(() => {});
        })();
      } else if (msg.method === "Network.requestWillBeSent") events.requests.push(p.request.url);
      else if (msg.method === "Runtime.consoleAPICalled" && (p.type === "error" || p.type === "assert")) {
        events.consoleErrors.push(p.args.map((a: any) => a.value ?? a.description ?? "").join(" "));
      } else if (msg.method === "Runtime.exceptionThrown") {
        const d = p.exceptionDetails;
        events.exceptions.push(`${d.text} ${d.exception?.description ?? ""}`);
      } else if (msg.method === "Log.entryAdded" && p.entry.level === "error") {
        events.consoleErrors.push(`${p.entry.source}: ${p.entry.text} ${p.entry.url ?? ""}`);
      }
    });
    for (const domain of ["Network", "Runtime", "Log", "Page"]) await this.send(`${domain}.enable`, {}, sessionId);
    await this.send(
      "Target.setAutoAttach",
      { autoAttach: true, waitForDebuggerOnStart: true, flatten: true },
      sessionId,
    );
    await this.send("Page.navigate", { url }, sessionId);
    return new Page(this, sessionId, events);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await Promise.race([this.send("Browser.close"), new Promise((r) => setTimeout(r, 2000))]);
    } catch { /* already gone */ }
    this.ws.close();
    // Let Chromium exit by itself (its helpers go with it); kill it only if it has not within 5 s.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = await Promise.race([
      this.child.status.then(() => true),
      new Promise<boolean>((r) => timer = setTimeout(() => r(false), 5000)),
    ]);
    clearTimeout(timer);
    if (!exited) {
      try {
        this.child.kill("SIGKILL");
      } catch { /* exited meanwhile */ }
      await this.child.status;
    }
    // Its helper processes may still be writing the profile for a moment.
    for (let i = 0; i < 10; i++) {
      try {
        Deno.removeSync(this.profile, { recursive: true });
        return;
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}

/** One open tab of a Browser: evaluate script, wait for conditions, take screenshots, read its recorded events. */
export class Page {
  constructor(private browser: Browser, private sessionId: string, readonly events: PageEvents) {}

  /** Evaluate an expression in the page (awaiting a promise) and return its value. */
  async eval<T = unknown>(expression: string): Promise<T> {
    const r = await this.browser.send("Runtime.evaluate", {
      expression,
      awaitPromise: true,
      returnByValue: true,
    }, this.sessionId);
    if (r.exceptionDetails) {
      throw new Error(`${r.exceptionDetails.text} ${r.exceptionDetails.exception?.description ?? ""}`);
    }
    return r.result.value as T;
  }

  /** Poll `expression` until it is truthy; throw with the page's errors after `timeoutMs`. */
  async waitFor<T = unknown>(expression: string, timeoutMs = 20_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const v = await this.eval<T>(expression).catch(() => undefined);
      if (v) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `timed out waiting for ${expression}; console errors: ${this.events.consoleErrors.join(" | ")}; ` +
        `exceptions: ${this.events.exceptions.join(" | ")}`,
    );
  }

  /** A PNG screenshot of the whole page, or of `clip` (CSS pixels) within it. */
  async screenshot(
    width = 1280,
    clip?: { x: number; y: number; width: number; height: number },
  ): Promise<Uint8Array> {
    const h = await this.eval<number>("document.documentElement.scrollHeight");
    await this.browser.send("Emulation.setDeviceMetricsOverride", {
      width,
      height: Math.min(h, 8000),
      deviceScaleFactor: 1,
      mobile: false,
    }, this.sessionId);
    const { data } = await this.browser.send("Page.captureScreenshot", {
      format: "png",
      ...(clip ? { clip: { ...clip, scale: 1 }, captureBeyondViewport: true } : {}),
    }, this.sessionId);
    return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  }
}
