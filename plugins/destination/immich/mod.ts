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
 * const session = await immich.open({ url: "http://nas:2283", "api-key": key }, ctx);
 * await session.check!();
 * const { resources } = await session.put(group);
 * ```
 * @module
 */
import { ConfigError } from "../../../core/plugin/errors.ts";
import type { OptionValues } from "../../../core/plugin/options.ts";
import {
  type DestinationPlugin,
  PLUGIN_API_VERSION,
  type PluginContext,
} from "../../../core/plugin/types.ts";
import { type ImmichSettings, openSession } from "./_session.ts";

export { MIN_VERSION, requiredPermissions, UNSUPPORTED_PREFIX } from "./_session.ts";

function settingsOf(options: OptionValues): ImmichSettings {
  const text = (name: string) => typeof options[name] === "string" ? (options[name] as string) : undefined;
  const url = text("url");
  const apiKey = text("api-key");
  if (!url || !apiKey) {
    throw new ConfigError(
      "destination.immich needs the server and a key: set IMMICH_URL (--immich-url) and IMMICH_API_KEY " +
        "(in the environment or .env, never on the command line)",
    );
  }
  const timeout = Number(options.timeout ?? 60);
  if (!(timeout > 0)) {
    throw new ConfigError(`destination.immich: timeout must be a positive number of seconds`);
  }
  return {
    url,
    apiKey,
    albums: (text("albums") ?? "path") as ImmichSettings["albums"],
    tags: (text("tags") ?? "keywords") as ImmichSettings["tags"],
    timeoutSeconds: timeout,
    pauseJobs: options["pause-jobs"] === true,
    adminApiKey: text("admin-api-key"),
  };
}

const immichDestination = {
  kind: "destination",
  id: "destination.immich",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Uploads to an Immich server (1.133 and later, 3.x included) with links, stacks and albums",
  options: [
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
      help: "seconds a request may take, or an upload may stall, before it is retried",
    },
    {
      name: "pause-jobs",
      type: "boolean",
      default: false,
      help: "pause Immich's thumbnail, metadata, video, face and search jobs during the import (admin key)",
    },
    {
      name: "admin-api-key",
      type: "string",
      secret: true,
      help: "an admin's API key for --immich-pause-jobs, when IMMICH_API_KEY is not an admin's",
      env: ["IMMICH_ADMIN_API_KEY"],
    },
  ],
  capabilities: ["check", "find", "update", "presence", "link", "stack", "albums", "remove"],
  async open(options: OptionValues, ctx: PluginContext) {
    return await openSession(settingsOf(options), ctx);
  },
} satisfies DestinationPlugin;

export default immichDestination;
