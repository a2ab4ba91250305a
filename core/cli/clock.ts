/**
 * The time an engine run goes by, and times as a user reads them.
 *
 * `PHOTOS_SYNC_TEST_NOW` (an ISO 8601 instant) is for tests only: the run's clock starts there and
 * moves on with real time, so a test can let back-offs pass without waiting for them.
 *
 * @example
 * ```ts
 * const now = runClock({ PHOTOS_SYNC_TEST_NOW: "2026-01-05T10:00:00Z" });
 * readableTime("2026-01-05T10:05:00.000Z"); // "2026-01-05 10:05 UTC" (when TZ=UTC)
 * ```
 * @module
 */
import { ConfigError } from "../plugin/errors.ts";

export const TEST_CLOCK_VARIABLE = "PHOTOS_SYNC_TEST_NOW";

/** The clock of a run: real time, or real time shifted to start at `PHOTOS_SYNC_TEST_NOW`. */
export function runClock(env: Record<string, string | undefined>): () => Date {
  const fake = env[TEST_CLOCK_VARIABLE];
  if (fake === undefined || fake === "") return () => new Date();
  const start = Date.parse(fake);
  if (!/^\d{4}-\d\d-\d\dT/.test(fake) || Number.isNaN(start)) {
    throw new ConfigError(
      `${TEST_CLOCK_VARIABLE} must be an ISO 8601 time such as 2026-01-05T10:00:00Z, got "${fake}"; it is for tests only: unset it`,
    );
  }
  const offset = start - Date.now();
  return () => new Date(Date.now() + offset);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `2026-01-05 10:05 UTC`: the local date and time to the minute, with the zone's short name. */
export function readableTime(iso: string): string {
  const d = new Date(iso);
  const zone = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(d)
    .find((p) => p.type === "timeZoneName")?.value ?? "";
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${day} ${pad(d.getHours())}:${pad(d.getMinutes())}${zone ? ` ${zone}` : ""}`;
}
