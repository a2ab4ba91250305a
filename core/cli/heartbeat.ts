/**
 * A beat every so often while a command holds its lock, without `setInterval`: in Deno 2.9 the
 * first timer of a process loads Node's timers (`setTimeout` returns a `Timeout`), about 4.5 ms, a
 * tenth of a no-op import; `AbortSignal.timeout` costs 0.5 ms. Its timer keeps the process alive
 * while it has a listener, so stopping removes the listener.
 *
 * @example
 * ```ts
 * const stop = startHeartbeat(30_000, () => {});
 * stop();
 * ```
 * @module
 */

/** Calls `beat` every `ms` until the returned function is called. */
export function startHeartbeat(ms: number, beat: () => void): () => void {
  let pending: AbortSignal;
  const onTime = () => {
    beat();
    arm();
  };
  const arm = () => {
    pending = AbortSignal.timeout(ms);
    pending.addEventListener("abort", onTime, { once: true });
  };
  arm();
  return () => pending.removeEventListener("abort", onTime);
}
