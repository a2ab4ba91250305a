/**
 * `source.immich`: reads an Immich server (1.133 and later, 3.x included) as a source, so what is
 * in Immich can be imported elsewhere (into Photos, into a folder). It lists every asset the API
 * key's user owns, outside the trash and the locked folder, with the facts Immich keeps (see
 * `_asset.ts`), and exports by downloading each original, checked against Immich's SHA-1.
 *
 * It reads the same `IMMICH_URL` and `IMMICH_API_KEY` as `destination.immich`; its flags are its
 * own (`--immich-source-…`), since two plugins may not declare one flag.
 *
 * @example
 * ```ts
 * const options = optionValues(immichSource.id, immichSource.options, { url: "http://nas:2283", "api-key": key });
 * const session = await immichSource.open(options, ctx);
 * for await (const asset of session.list()) console.log(asset.filename);
 * ```
 * @module
 */
import type { OptionsOf, OptionSpec } from "../../../core/plugin/options.ts";
import { PLUGIN_API_VERSION, type PluginContext, type SourcePlugin } from "../../../core/plugin/types.ts";
import { loadModule } from "../../../core/lazy.ts";

const OPTIONS = [
  {
    name: "url",
    flag: "immich-source-url",
    type: "string",
    required: true,
    help: "Immich server URL to read from, e.g. http://nas:2283; the same variables as --to immich",
    env: ["IMMICH_URL"],
  },
  {
    name: "api-key",
    flag: "immich-source-api-key",
    type: "string",
    required: true,
    secret: true,
    help: "Immich API key to read with, as for --to immich; see docs/immich.md for the permissions it needs",
    env: ["IMMICH_API_KEY"],
  },
  {
    name: "timeout",
    flag: "immich-source-timeout",
    type: "number",
    default: 60,
    range: [1, 3600],
    help: "seconds a request may take, or a download may stall, before it is retried",
  },
  {
    name: "ids",
    flag: "immich-source-ids",
    type: "list",
    help: "only these Immich asset ids (comma-separated), each looked up instead of listing the account",
  },
] as const satisfies readonly OptionSpec[];

const immichSource = {
  kind: "source",
  id: "source.immich",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Reads an Immich server (1.133 and later, 3.x included): originals and Live Photo videos",
  options: OPTIONS,
  capabilities: [],
  // Immich keeps no title.
  fields: {
    read: ["favorite", "hidden", "caption", "keywords", "location", "captured", "rating", "albums", "people"],
  },
  async open(options: OptionsOf<typeof OPTIONS>, ctx: PluginContext) {
    // Loaded when a run opens the source, so start-up and --help cost only this descriptor.
    const [{ connect }, { ImmichSource }] = await Promise.all([
      loadModule("plugins/destination/immich/_connect.ts"),
      loadModule("plugins/source/immich/_session.ts"),
    ]);
    const apiKey = options["api-key"];
    const timeoutSeconds = options.timeout;
    // Only the URL, key and timeout matter to opening a connection; the rest is the destination's.
    const server = await connect(
      { url: options.url, apiKey, timeoutSeconds, albums: "off", tags: "off", pauseJobs: false },
      ctx,
    );
    const ids = options.ids && options.ids.length > 0 ? options.ids : undefined;
    return new ImmichSource(server, { apiKey, timeoutSeconds, ids }, ctx);
  },
} satisfies SourcePlugin;

export default immichSource;
