/**
 * The one wrapping every plugin session gets from the host, like restic's `wrapBackend`: errors
 * tagged with the plugin id and hook, retry with back-off for retryable errors, dry run for the
 * writing hooks, and a count and duration per hook for the metrics. Plugins and commands repeat
 * none of it.
 *
 * @example
 * ```ts
 * const timings = new HookTimings();
 * const session = wrapSession(plugin, checkSession(plugin, "assets", ["stack"], opened), {
 *   timings,
 *   retry: { attempts: 3 },
 *   dryRun: DRY_RUN, // only in a dry run
 * });
 * await session.put(group); // fails as "destination.immich put: ..." after three tries
 * ```
 * @module
 */
import { retry, type RetryOptions } from "./retry.ts";
import { FatalError, PluginError } from "../plugin/errors.ts";

/** Calls and time spent per plugin hook, for the server's metrics. */
export interface HookTiming {
  pluginId: string;
  hook: string;
  calls: number;
  failures: number;
  totalMs: number;
}

export class HookTimings {
  readonly #byHook = new Map<string, HookTiming>();

  record(pluginId: string, hook: string, ms: number, ok: boolean): void {
    const key = `${pluginId}\0${hook}`;
    const entry = this.#byHook.get(key) ?? { pluginId, hook, calls: 0, failures: 0, totalMs: 0 };
    entry.calls++;
    if (!ok) entry.failures++;
    entry.totalMs += ms;
    this.#byHook.set(key, entry);
  }

  /** A copy of every hook's record so far, in first-call order. */
  read(): HookTiming[] {
    return [...this.#byHook.values()].map((t) => ({ ...t }));
  }
}

/**
 * What a writing hook does in a dry run, given its arguments: answer without calling the plugin, or
 * `call` it with arguments that make it change nothing.
 */
export type DryRunAnswer = (args: unknown[], call: (...args: unknown[]) => Promise<unknown>) => unknown;

const nothing = () => undefined;

/**
 * The dry run of every writing hook of the contract. A put is refused rather than faked: a made-up
 * remote id must never reach the tracker. Backups run as rclone's own dry run, which reports what it
 * would copy; a backup target is never marked as created.
 */
export const DRY_RUN: Readonly<Record<string, DryRunAnswer>> = {
  put: () => {
    throw new FatalError("a dry run sends nothing; put() must not be called in one");
  },
  update: nothing,
  stack: nothing,
  remove: nothing,
  download: nothing,
  delete: ([ids]) => ({ deleted: [], notFound: ids }),
  albums: nothing,
  removeAlbums: nothing,
  people: nothing,
  write: nothing,
  warmup: nothing,
  // Nothing is asked of an archive tier in a dry run: no file gets an answer.
  requestRestore: () => ({}),
  pruneArchive: nothing,
  backupTree: ([request], call) => call({ ...(request as object), dryRun: true }),
  prepareBackup: (_args, call) => call({ create: false }),
};

/** What a retry is about, for reports: the asset of an export request or a group, else the first id. */
export function subjectOf(args: unknown[]): string | undefined {
  const [first] = args;
  const item = Array.isArray(first) ? first[0] : first;
  if (typeof item === "string") return item;
  const asset = item as { asset?: { id?: unknown }; id?: unknown } | undefined;
  const id = asset?.asset?.id ?? asset?.id;
  return typeof id === "string" ? id : undefined;
}

export interface WrapOptions {
  /** Retry retryable errors with back-off; without it every hook is tried once. */
  retry?: RetryOptions;
  /** Told before each pause of a retry, with the hook and its arguments (e.g. the asset). */
  onRetry?: (
    event: { hook: string; args: unknown[]; attempt: number; delayMs: number; error: unknown },
  ) => void;
  /** In a dry run, the writing hooks by name and what each answers instead of calling the plugin. */
  dryRun?: Record<string, DryRunAnswer>;
  timings?: HookTimings;
}

/** Hooks that hand back an async iterable: tagged while iterating, never retried (not replayable). */
const STREAMING = new Set(["list"]);

/**
 * Tree transfers last hours and the backup engine retries them itself, a job at a time, with the
 * attempts recorded in the tracker so that a later run resumes the count: not retried here too.
 */
const RETRIED_BY_THE_BACKUP = new Set(["backupTree", "restoreTree", "verifyTree"]);

/** The session with every method wrapped; data fields (`key`, `info`) pass through unchanged. */
export function wrapSession<S extends object>(
  plugin: { id: string },
  session: S,
  options: WrapOptions = {},
): S {
  const fields = session as Record<string, unknown>;
  const view: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    view[name] = typeof value === "function"
      ? wrapHook(plugin.id, name, (value as (...a: unknown[]) => unknown).bind(session), options)
      : value;
  }
  return view as S;
}

function wrapHook(
  pluginId: string,
  hook: string,
  fn: (...args: unknown[]) => unknown,
  options: WrapOptions,
): (...args: unknown[]) => unknown {
  const answer = options.dryRun?.[hook];
  if (answer) {
    const call = (...args: unknown[]) => Promise.resolve(fn(...args));
    return (...args) => timed(pluginId, hook, () => Promise.resolve(answer(args, call)), options.timings);
  }
  if (STREAMING.has(hook)) {
    return (...args) => tagIterable(pluginId, hook, fn(...args) as AsyncIterable<unknown>);
  }
  return (...args) => {
    const once = () => timed(pluginId, hook, () => Promise.resolve(fn(...args)), options.timings);
    if (!options.retry || RETRIED_BY_THE_BACKUP.has(hook)) return once();
    return retry(once, {
      ...options.retry,
      onRetry: (error, attempt, delayMs) => {
        options.retry?.onRetry?.(error, attempt, delayMs);
        options.onRetry?.({ hook, args, attempt, delayMs, error });
      },
    });
  };
}

/** One call, timed, with what it throws tagged `pluginId hook: message` (once, never twice). */
async function timed<T>(
  pluginId: string,
  hook: string,
  call: () => Promise<T>,
  timings?: HookTimings,
): Promise<T> {
  const started = performance.now();
  try {
    const result = await call();
    timings?.record(pluginId, hook, performance.now() - started, true);
    return result;
  } catch (e) {
    timings?.record(pluginId, hook, performance.now() - started, false);
    throw e instanceof PluginError ? e : new PluginError(pluginId, hook, e);
  }
}

async function* tagIterable<T>(pluginId: string, hook: string, items: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* items;
  } catch (e) {
    throw e instanceof PluginError ? e : new PluginError(pluginId, hook, e);
  }
}
