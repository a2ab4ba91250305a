/**
 * `destination.immich`: uploads each asset to an Immich server (1.133 and later, including the
 * 3.x API) with every relation the plan names: the Live Photo's motion video linked to its still,
 * stacks, albums, favourite, visibility, capture date and time zone, location, caption and tags.
 *
 * - Files are checked against the server in batches (`bulk-upload-check`, grouped across the
 *   uploads in flight) before anything is sent; duplicates cost no upload, and a duplicate found in
 *   Immich's trash is restored.
 * - Uploads stream from disk with the SHA-1 the engine computed as `x-immich-checksum`; memory
 *   stays flat whatever the file size.
 * - Errors are classified for the engine: network, 429 and 5xx retryable; 401 and 403 end the run
 *   with one message; other 4xx are permanent for the asset, with the server's message.
 *
 * @example
 * ```ts
 * // The host resolves the options; a caller opening the plugin itself fills the defaults in:
 * const options = optionValues(immich.id, immich.options, { url: "http://nas:2283", "api-key": key });
 * const session = await immich.assets.open(options, ctx);
 * await session.check!();
 * const { resources } = await session.put(group);
 * ```
 * @module
 */
import type { OptionsOf, OptionSpec } from "../../../core/plugin/options.ts";
import {
  type DestinationPlugin,
  PLUGIN_API_VERSION,
  type PluginContext,
} from "../../../core/plugin/types.ts";
import type { ImmichSettings } from "./_settings.ts";
import { loadModule } from "../../../core/lazy.ts";

const OPTIONS = [
  {
    name: "url",
    type: "string",
    required: true,
    help: "Immich server URL, e.g. http://nas:2283",
    env: ["IMMICH_URL"],
  },
  {
    name: "api-key",
    type: "string",
    required: true,
    secret: true,
    help: "Immich API key (Account Settings > API Keys); see docs/immich.md for the permissions it needs",
    env: ["IMMICH_API_KEY"],
  },
  {
    name: "albums",
    type: "string",
    choices: ["path", "title", "off"],
    default: "path",
    help:
      'album names: "path" keeps folders ("Trips / 2024 / Paris"), "title" the album title alone, "off" no albums',
  },
  {
    name: "tags",
    type: "string",
    choices: ["keywords", "all", "off"],
    default: "keywords",
    help: 'Immich tags: Photos keywords, "all" adds media types (Photos/live…), "off" none',
  },
  {
    name: "timeout",
    type: "number",
    default: 60,
    range: [1, 3600],
    help: "seconds a request may take, or an upload may stall, before it is retried",
  },
  {
    name: "pause-jobs",
    type: "boolean",
    help: "pause Immich's thumbnail, metadata, video, face and search jobs during the import (needs " +
      "an admin's key); not given: paused only for a large import, and only if the key allows",
    env: ["IMMICH_PAUSE_JOBS"],
  },
  {
    name: "admin-api-key",
    type: "string",
    secret: true,
    help: "an admin's API key that pauses Immich's jobs, when IMMICH_API_KEY is not an admin's",
    env: ["IMMICH_ADMIN_API_KEY"],
  },
] as const satisfies readonly OptionSpec[];

/** The host resolved and checked every option (url and key required, timeout in range) before this. */
function settingsOf(options: OptionsOf<typeof OPTIONS>): ImmichSettings {
  return {
    url: options.url,
    apiKey: options["api-key"],
    albums: options.albums,
    tags: options.tags,
    timeoutSeconds: options.timeout,
    pauseJobs: options["pause-jobs"],
    adminApiKey: options["admin-api-key"],
  };
}

const immichDestination = {
  kind: "destination",
  id: "destination.immich",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Uploads to an Immich server (1.133 and later, 3.x included) with links, stacks and albums",
  options: OPTIONS,
  assets: {
    capabilities: [
      "check",
      "update",
      "presence",
      "stack",
      "remove",
      "read",
      "changes",
      "albums",
      "removeAlbums",
      "people",
      "verify",
    ],
    async open(options: OptionsOf<typeof OPTIONS>, ctx: PluginContext) {
      // The client is loaded when a run opens it: listing the plugins (start-up, --help) costs only this file.
      const { openSession } = await loadModule("plugins/destination/immich/_session.ts");
      return await openSession(settingsOf(options), ctx);
    },
  },
} satisfies DestinationPlugin;

export default immichDestination;
