/**
 * The dashboard's files, imported as text so they are part of the module graph: they travel
 * inside a compiled binary and need no network (the page loads nothing from elsewhere).
 *
 * @example
 * ```ts
 * const { body, type } = DASHBOARD_FILES["/"];
 * ```
 * @module
 */
import html from "./index.html" with { type: "text" };
import css from "./style.css" with { type: "text" };
import js from "./app.js" with { type: "text" };
import svg from "./favicon.svg" with { type: "text" };

/** Served path -> body and content type. */
export const DASHBOARD_FILES: Readonly<Record<string, { body: string; type: string }>> = {
  "/": { body: html, type: "text/html; charset=utf-8" },
  "/style.css": { body: css, type: "text/css; charset=utf-8" },
  "/app.js": { body: js, type: "text/javascript; charset=utf-8" },
  "/favicon.svg": { body: svg, type: "image/svg+xml" },
};
