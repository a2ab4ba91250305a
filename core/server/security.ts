/**
 * What keeps `serve` safe to leave running: the token check (constant time), the session cookie
 * a browser gets after presenting the token once, the loopback test and the response headers.
 *
 * @example
 * ```ts
 * tokenMatches(request.headers.get("authorization")?.slice(7) ?? "", token);
 * ```
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** Name of the cookie that carries the browser's session once it has shown the token. */
export const SESSION_COOKIE = "photos_sync_session";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Compares a presented secret with the expected one in time that does not depend on where they
 * differ (both are hashed first, so their lengths do not leak either).
 */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * The cookie value for a token: derived from it, so the token itself never travels back in a
 * response, and changing the token ends every session.
 */
export function sessionValue(token: string): string {
  return digest(`photos-sync serve session\0${token}`).toString("hex");
}

/** Whether a listen address or Host name is this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) ||
    h === "::ffff:127.0.0.1";
}

/**
 * Whether a listen address is well formed: an IPv4 or IPv6 address or a host name of letters,
 * digits and dashes (RFC 1123). `bad host!` is a typo, not a request to listen on the network.
 */
export function isValidListenHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, "$1");
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(h)) return h.split(".").every((n) => Number(n) <= 255);
  if (h.includes(":")) return /^[0-9a-f:.]+$/i.test(h) && (h.match(/::/g)?.length ?? 0) <= 1;
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
  return h.length > 0 && h.length <= 253 && h.replace(/\.$/, "").split(".").every((l) => label.test(l));
}

/** The host part of a Host header (`[::1]:8377` -> `::1`, `example:80` -> `example`). */
export function hostOf(header: string): string {
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(header);
  if (bracket) return bracket[1];
  return header.replace(/:\d+$/, "");
}

/** Headers on every response: nothing loads from elsewhere, nothing frames or sniffs the page. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; "),
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
  "Cache-Control": "no-store",
};
