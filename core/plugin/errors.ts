/**
 * The four error classes a plugin throws, and how the host tells them apart.
 *
 * The host classifies by the `kind` field, not by `instanceof`, so a bundled third-party plugin that
 * carries its own copy of these classes is classified the same way.
 *
 * @example
 * ```ts
 * import { PermanentError, RetryableError } from "@photos-sync/photos-sync/plugin";
 *
 * function refusal(res: Response, name: string): RetryableError | PermanentError | undefined {
 *   if (res.status === 429) return new RetryableError("server is busy (429)");
 *   if (res.status === 400) return new PermanentError(`server refused ${name}`);
 * }
 * console.assert(refusal(new Response(null, { status: 429 }), "a.jpg")?.kind === "retryable");
 * ```
 * @module
 */

export type ErrorKind = "config" | "permanent" | "retryable" | "fatal";

abstract class PhotosSyncError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad or missing configuration: the run does not start (exit code 2). */
export class ConfigError extends PhotosSyncError {
  readonly kind = "config" as const;
}

/** This asset cannot succeed as it is; recorded, not retried until `review --retry`. */
export class PermanentError extends PhotosSyncError {
  readonly kind = "permanent" as const;
}

/** A transient problem (network, 5xx, busy): retried with back-off, in this run and later ones. */
export class RetryableError extends PhotosSyncError {
  readonly kind = "retryable" as const;
}

/** Nothing else can succeed either (wrong API key, disk full): the run stops. */
export class FatalError extends PhotosSyncError {
  readonly kind = "fatal" as const;
}

/**
 * An error from a plugin, wrapped by the host with the plugin id and the hook that threw.
 * `kind` is the original's kind; unknown errors count as retryable, because a bug in one asset's
 * path should not be recorded as the asset's permanent fate.
 */
export class PluginError extends Error {
  readonly kind: ErrorKind;
  constructor(readonly pluginId: string, readonly hook: string, override readonly cause: unknown) {
    super(`${pluginId} ${hook}: ${messageOf(cause)}`, { cause });
    this.name = "PluginError";
    this.kind = errorKind(cause);
  }
}

const KINDS: readonly ErrorKind[] = ["config", "permanent", "retryable", "fatal"];

/** The kind of any thrown value; plain errors are retryable. */
export function errorKind(error: unknown): ErrorKind {
  const kind = (error as { kind?: unknown } | null)?.kind;
  return KINDS.includes(kind as ErrorKind) ? kind as ErrorKind : "retryable";
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
