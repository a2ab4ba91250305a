/**
 * SIGINT (Ctrl-C) and SIGTERM (launchd, systemd, `kill`) for every long command, in one place.
 * The first signal aborts the command's controller: no new asset starts, what is in flight ends or
 * is abandoned (nothing is recorded that the destination did not confirm), the run is recorded as
 * interrupted, the temp folder goes and the lock is released. `runCli` then prints one line and
 * exits 130 (SIGINT) or 143 (SIGTERM), as a shell reports a process a signal ended. A second signal
 * exits at once: the tracker commits each asset in one transaction, a lock whose process is gone is
 * free at once, and the next run removes the temp folder this one left.
 *
 * @example
 * ```ts
 * const stops = new StopSignals(output);
 * using _ = stops.listen(session.abort, "import");
 * await work(session.abort.signal);
 * if (stops.received) Deno.exit(stops.report(output));
 * ```
 * @module
 */
import type { Output } from "./output.ts";

/** Exit codes: 128 + the signal's number. */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof EXIT_CODES;

/** The abort reason of a command stopped by a signal. */
export class InterruptedError extends Error {
  override name = "InterruptedError";
  constructor(readonly signal: StopSignal, readonly command: string) {
    super(`${command} interrupted by ${signal}`);
  }
}

/** How a second signal ends the process (replaceable for tests). */
export interface StopHooks {
  exit(code: number): void;
}

export class StopSignals {
  #received?: InterruptedError;

  constructor(readonly output: Output, readonly hooks: StopHooks = { exit: (code) => Deno.exit(code) }) {}

  /** The interruption, once a signal arrived while a command listened. */
  get received(): InterruptedError | undefined {
    return this.#received;
  }

  /**
   * Listens for the stop signals until the returned handle is disposed: the first aborts
   * `controller` with an {@link InterruptedError}, the second exits at once.
   */
  listen(controller: AbortController, command: string): Disposable {
    // Windows delivers only SIGINT (and SIGBREAK) to Deno; listening for SIGTERM there throws.
    const names: StopSignal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
    const handlers = names.map((name) => {
      const handler = () => this.#receive(name, controller, command);
      Deno.addSignalListener(name, handler);
      return () => Deno.removeSignalListener(name, handler);
    });
    return { [Symbol.dispose]: () => handlers.forEach((remove) => remove()) };
  }

  #receive(signal: StopSignal, controller: AbortController, command: string): void {
    if (this.#received) {
      this.output.err(
        `photos-sync: ${command} stopped at once by a second ${signal}; ` +
          `run it again: it resumes, and removes what this run left behind`,
      );
      this.hooks.exit(EXIT_CODES[signal]);
      return;
    }
    this.#received = new InterruptedError(signal, command);
    if (this.output.interactive) {
      this.output.err(`${signal}: stopping after the work in flight (press Ctrl-C again to stop at once)`);
    }
    controller.abort(this.#received);
  }

  /** Prints the one line that says the command was interrupted and how to resume; returns the exit code. */
  report(): number {
    const { command, signal, message } = this.#received!;
    // serve has nothing to resume: a signal is how it ends.
    this.output.err(
      command === "serve"
        ? `photos-sync: serve stopped by ${signal}`
        : `photos-sync: ${message}; run the same command again to resume where it stopped`,
    );
    return EXIT_CODES[signal];
  }
}
