/**
 * Drives Debian's headless Chromium over the DevTools protocol from Deno (a WebSocket and a few
 * commands), so browser tests need no Node and no downloaded browser. Waits are DOM conditions
 * polled in the page, never fixed sleeps.
 *
 * @example
 * ```ts
 * const browser = await Chromium.launch();
 * try {
 *   const page = await browser.newPage({ width: 1200, height: 900 });
 *   await page.goto("http://127.0.0.1:8377/");
 *   await page.waitFor("document.querySelector('[data-live-run]') !== null");
 * } finally { await browser.close(); }
 * ```
 * @module
 */
import { existsSync } from "node:fs";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The browser binary: $CHROMIUM_PATH or a Debian/Ubuntu location; undefined when none is installed. */
export function chromiumPath(): string | undefined {
  const fromEnv = Deno.env.get("CHROMIUM_PATH");
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

type Pending = { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void; method: string };

class Connection {
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Set<(msg: { method: string; params: unknown; sessionId?: string }) => void>();

  private constructor(readonly socket: WebSocket) {
    socket.onmessage = (e) => {
      const msg = JSON.parse(e.data as string);
      if (msg.id !== undefined) {
        const p = this.#pending.get(msg.id);
        if (!p) return;
        this.#pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
        else p.resolve(msg.result ?? {});
      } else {
        for (const l of this.#listeners) l(msg);
      }
    };
    socket.onclose = () => {
      for (const p of this.#pending.values()) p.reject(new Error(`${p.method}: the browser went away`));
      this.#pending.clear();
    };
  }

  static open(url: string): Promise<Connection> {
    const socket = new WebSocket(url);
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve(new Connection(socket));
      socket.onerror = () => reject(new Error(`cannot connect to Chromium's DevTools at ${url}`));
    });
  }

  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
      this.socket.send(JSON.stringify({ id, method, params, sessionId }));
    });
  }

  on(listener: (msg: { method: string; params: unknown; sessionId?: string }) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.addEventListener("close", () => resolve(), { once: true });
      this.socket.close();
    });
  }
}

/** One tab. */
export class Page {
  constructor(readonly connection: Connection, readonly sessionId: string) {}

  #send(method: string, params: Record<string, unknown> = {}) {
    return this.connection.send(method, params, this.sessionId);
  }

  /** Navigates and waits for the load event. */
  async goto(url: string): Promise<void> {
    const loaded = new Promise<void>((resolve) => {
      const off = this.connection.on((m) => {
        if (m.sessionId === this.sessionId && m.method === "Page.loadEventFired") {
          off();
          resolve();
        }
      });
    });
    const result = await this.#send("Page.navigate", { url });
    if (result.errorText) throw new Error(`navigating to ${url}: ${result.errorText}`);
    await loaded;
  }

  /** The value of a JavaScript expression in the page (JSON-serialisable results only). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.#send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    const details = r.exceptionDetails as { exception?: { description?: string }; text?: string } | undefined;
    if (details) throw new Error(`in the page: ${details.exception?.description ?? details.text}`);
    return (r.result as { value: T }).value;
  }

  /** Polls `expression` until it is truthy; returns its value. Fails with `what` after `timeoutMs`. */
  async waitFor<T>(expression: string, options: { timeoutMs?: number; what?: string } = {}): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    for (;;) {
      const value = await this.evaluate<T>(expression);
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? expression}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A PNG of the whole page. */
  async screenshot(): Promise<Uint8Array> {
    const r = await this.#send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true });
    return Uint8Array.from(atob(r.data as string), (c) => c.charCodeAt(0));
  }

  /** Collects the page's console errors and CSP violations, for asserting there were none. */
  collectErrors(): string[] {
    const errors: string[] = [];
    this.connection.on((m) => {
      if (m.sessionId !== this.sessionId) return;
      if (m.method === "Runtime.exceptionThrown") {
        const d = (m.params as { exceptionDetails: { exception?: { description?: string }; text: string } })
          .exceptionDetails;
        errors.push(d.exception?.description ?? d.text);
      }
      if (m.method === "Log.entryAdded") {
        const e = (m.params as { entry: { level: string; text: string } }).entry;
        if (e.level === "error") errors.push(e.text);
      }
    });
    return errors;
  }
}

/** A headless Chromium with a fresh profile, removed on close. */
export class Chromium {
  private constructor(
    readonly process: Deno.ChildProcess,
    readonly connection: Connection,
    readonly profile: string,
  ) {}

  static async launch(options: { path?: string } = {}): Promise<Chromium> {
    const path = options.path ?? chromiumPath();
    if (!path) throw new Error("Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)");
    const profile = await Deno.makeTempDir({ prefix: "photos-sync-chromium-" });
    const child = new Deno.Command(path, {
      args: [
        "--headless=new",
        "--no-sandbox", // tests run as root in CI containers
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--metrics-recording-only",
        "--hide-scrollbars",
        "--force-color-profile=srgb",
        `--user-data-dir=${profile}`,
        "--remote-debugging-port=0",
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      const url = await devtoolsUrl(child.stderr);
      return new Chromium(child, await Connection.open(url), profile);
    } catch (e) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await Deno.remove(profile, { recursive: true }).catch(() => {});
      throw e;
    }
  }

  /** A new tab with this viewport (CSS pixels) and colour scheme. */
  async newPage(
    viewport: { width: number; height: number; scale?: number; mobile?: boolean; dark?: boolean },
  ): Promise<Page> {
    const { targetId } = await this.connection.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.connection.send("Target.attachToTarget", { targetId, flatten: true });
    const page = new Page(this.connection, sessionId as string);
    const send = (method: string, params: Record<string, unknown> = {}) =>
      this.connection.send(method, params, sessionId as string);
    await send("Page.enable");
    await send("Runtime.enable");
    await send("Log.enable");
    await send("Emulation.setDeviceMetricsOverride", {
      width: viewport.width,
      height: viewport.height,
      deviceScaleFactor: viewport.scale ?? 1,
      mobile: viewport.mobile ?? false,
    });
    await send("Emulation.setEmulatedMedia", {
      features: [{ name: "prefers-color-scheme", value: viewport.dark ? "dark" : "light" }],
    });
    return page;
  }

  async close(): Promise<void> {
    try {
      await this.connection.send("Browser.close").catch(() => {});
      await this.connection.close();
    } finally {
      const timer = setTimeout(() => {
        try {
          this.process.kill("SIGKILL");
        } catch { /* already gone */ }
      }, 5000);
      await this.process.status;
      clearTimeout(timer);
      await Deno.remove(this.profile, { recursive: true }).catch(() => {});
    }
  }
}

/** Reads Chromium's stderr until it names its DevTools endpoint, then drains the rest. */
async function devtoolsUrl(stderr: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const timeout = setTimeout(() => reader.cancel().catch(() => {}), 30_000);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`Chromium exited before it was ready:\n${seen.slice(-2000)}`);
      seen += value;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (match) {
        // Keep reading so Chromium never blocks on a full pipe.
        (async () => {
          try {
            while (!(await reader.read()).done) { /* discard */ }
          } catch { /* closed */ }
        })();
        return match[1];
      }
    }
  } finally {
    clearTimeout(timeout);
  }
}
