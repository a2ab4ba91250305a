/**
 * The one way photos-sync runs rclone, shared by the destinations built on it (`destination.b2`,
 * `destination.glacier`). It spawns rclone through the host's subprocess runner (both pipes
 * streamed, secrets refused in arguments), reads the JSON log as it arrives, and turns a failure
 * into a plugin error whose message carries rclone's last error lines.
 *
 * Remotes are configured only through `RCLONE_CONFIG_<NAME>_*` environment variables of the child,
 * so no secret is ever written to a config file or shown in a process listing. Inherited `RCLONE_*`
 * settings (a stray `RCLONE_DRY_RUN=true` would turn every backup into a no-op) and `AWS_CA_BUNDLE`
 * (rclone 1.60's s3 backend fails on it) are removed from the child's environment.
 *
 * @example
 * ```ts
 * const rclone = new Rclone(ctx, { env: { RCLONE_CONFIG_X_TYPE: "local" } });
 * await rclone.call("listing the backup", { args: ["lsf", "x:/tmp"], onStdoutLine: (l) => names.push(l) });
 * ```
 * @module
 */
import { ConfigError, FatalError, PermanentError, RetryableError } from "../../../core/plugin/errors.ts";
import type { PluginContext } from "../../../core/plugin/types.ts";
import { isError, type LogEntry, parseLogLine, type RcloneStats, statsOf } from "./stats.ts";

export * from "./stats.ts";

/** The oldest rclone with everything used here (JSON log, `obscure -`, crypt `password2`, `cryptcheck --combined`). */
export const MIN_RCLONE_VERSION: readonly [number, number] = [1, 56];

export interface RcloneCall {
  args: string[];
  /** Written to rclone's stdin (how a secret reaches `rclone obscure -`). */
  stdin?: string;
  /** Every JSON log line, as it arrives. */
  onEntry?: (entry: LogEntry) => void;
  /** Every stats line (cumulative values), as it arrives. */
  onStats?: (stats: RcloneStats) => void;
  onStdoutLine?: (line: string) => void;
}

export interface RcloneOutcome {
  code: number;
  /** rclone's last error messages, oldest first. */
  errors: string[];
}

export interface RcloneOptions {
  /** `RCLONE_CONFIG_*` variables that define the remotes of this destination. */
  env?: Record<string, string>;
  /** The rclone executable (default `rclone` on PATH). */
  binary?: string;
}

const KEEP_ERRORS = 6;
const AUTH =
  /\b(401|403)\b|unauthori[sz]ed|bad_auth_token|bad_bucket_id|InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|failed to authori[sz]e|NoSuchBucket|bucket .*does not exist|expired_auth_token/i;

/** Inherited variables that would change what rclone does behind our back. */
function inheritedToRemove(): string[] {
  return Object.keys(Deno.env.toObject()).filter((name) =>
    name === "AWS_CA_BUNDLE" ||
    (name.startsWith("RCLONE_") && name !== "RCLONE_CONFIG" && !name.startsWith("RCLONE_CONFIG_") &&
      name !== "RCLONE_PASSWORD_COMMAND")
  );
}

export class Rclone {
  readonly binary: string;
  readonly #env: Record<string, string>;

  constructor(readonly ctx: PluginContext, options: RcloneOptions = {}) {
    this.binary = options.binary ?? "rclone";
    this.#env = options.env ?? {};
  }

  /** Runs rclone and returns how it ended, without judging the exit code. */
  async attempt(call: RcloneCall): Promise<RcloneOutcome> {
    const errors: string[] = [];
    const remember = (message: string) => {
      const m = message.trim();
      if (!m || errors.at(-1) === m) return;
      errors.push(m);
      if (errors.length > KEEP_ERRORS) errors.shift();
    };
    let code: number;
    let usage = false;
    try {
      ({ code } = await this.ctx.run(this.binary, call.args, {
        env: this.#env,
        unsetEnv: inheritedToRemove(),
        stdin: call.stdin,
        onStdoutLine: call.onStdoutLine,
        onStderrLine: (line) => {
          const entry = parseLogLine(line);
          if (!entry) {
            // Plain text: the final "Failed to sync: ..." line, a usage error, a crash. After a
            // usage error rclone prints its whole help text, which says nothing about the failure.
            usage ||= line.startsWith("Usage:");
            if (!usage) remember(line.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, ""));
            return;
          }
          if (isError(entry)) remember(entry.object ? `${entry.object}: ${entry.msg}` : entry.msg);
          call.onEntry?.(entry);
          const stats = statsOf(entry);
          if (stats) call.onStats?.(stats);
        },
      }));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new FatalError(
          `rclone is not installed (${this.binary} was not found on PATH); install it (apt install rclone, ` +
            `brew install rclone) or set the destination's rclone option to its path`,
        );
      }
      if (this.ctx.signal.aborted) throw this.ctx.signal.reason;
      throw e;
    }
    if (this.ctx.signal.aborted) throw this.ctx.signal.reason;
    return { code, errors };
  }

  /** Runs rclone; a non-zero exit becomes an error that says `what` failed and why. */
  async call(what: string, call: RcloneCall): Promise<RcloneOutcome> {
    const outcome = await this.attempt(call);
    if (outcome.code !== 0) throw rcloneFailure(what, outcome);
    return outcome;
  }

  /** rclone's `obscure` form of a secret, computed in-process: the secret goes in on stdin. */
  async obscure(secret: string): Promise<string> {
    let out = "";
    await this.call("obscuring the encryption password", {
      args: ["obscure", "-"],
      stdin: secret,
      onStdoutLine: (l) => (out ||= l.trim()),
    });
    if (!out) throw new FatalError("rclone obscure printed nothing; is this really rclone?");
    return out;
  }

  /** The installed version (`1.60.1`), or undefined when rclone cannot be run. */
  async version(): Promise<string | undefined> {
    let first = "";
    try {
      const { code } = await this.attempt({ args: ["version"], onStdoutLine: (l) => (first ||= l) });
      if (code !== 0) return undefined;
    } catch (e) {
      if (e instanceof FatalError) return undefined;
      throw e;
    }
    return /v?(\d+\.\d+(?:\.\d+)?)/.exec(first)?.[1];
  }
}

/** The installed rclone's version; throws, saying what to do, when it is missing or too old. */
export async function requireRclone(ctx: PluginContext, binary?: string): Promise<string> {
  const version = await new Rclone(ctx, { binary }).version();
  if (!version) {
    throw new FatalError(
      `rclone cannot be run (${
        binary ?? "rclone"
      }); install it (apt install rclone, brew install rclone) or ` +
        `set the destination's rclone option to its path`,
    );
  }
  if (!recentEnough(version)) {
    throw new ConfigError(
      `rclone ${version} is too old; photos-sync needs ${
        MIN_RCLONE_VERSION.join(".")
      } or newer (rclone.org/install)`,
    );
  }
  return version;
}

/** Whether a version string (`1.60.1`) is at least {@link MIN_RCLONE_VERSION}. */
export function recentEnough(version: string): boolean {
  const [major, minor] = version.split(".").map(Number);
  return major > MIN_RCLONE_VERSION[0] || (major === MIN_RCLONE_VERSION[0] && minor >= MIN_RCLONE_VERSION[1]);
}

/**
 * The plugin error for a failed rclone run, classified from the exit code (rclone documents them:
 * 1 usage, 3 directory not found, 4 file not found, 7 fatal) and from the error text (wrong
 * credentials and missing buckets stop the whole run: retrying cannot fix them).
 */
export function rcloneFailure(what: string, outcome: RcloneOutcome): Error {
  const detail = outcome.errors.length > 0 ? outcome.errors.join("; ") : "rclone gave no error message";
  const message = `${what} failed (rclone exit ${outcome.code}): ${detail}`;
  if (AUTH.test(detail)) {
    return new FatalError(`${message}. Check the destination's credentials and bucket name (backup --check)`);
  }
  switch (outcome.code) {
    case 1:
      return new ConfigError(
        `${message}. Is rclone at least ${MIN_RCLONE_VERSION.join(".")}? (backup --check)`,
      );
    case 3:
    case 4:
      return new PermanentError(message);
    case 7:
      return new FatalError(message);
    default:
      return new RetryableError(message);
  }
}
