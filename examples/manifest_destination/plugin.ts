/**
 * An example third-party plugin: `destination.manifest` appends one JSON line per stored file to
 * `manifest.jsonl` in a folder, keyed by SHA-1, so a second put of the same bytes is a duplicate.
 *
 * It imports only types from photos-sync, so its bundle is self-contained:
 *   deno bundle examples/manifest_destination/plugin.ts -o manifest.js
 *   photos-sync import --plugin manifest.js --to manifest --manifest-dir ./out
 * @module
 */
import type { DestinationPlugin, ExportedGroup, RemoteRef } from "@photos-sync/photos-sync/plugin";

interface Line {
  sha1: string;
  asset: string;
  key: string;
  name: string;
  size: number;
}

const plugin = {
  kind: "destination",
  id: "destination.manifest",
  apiVersion: 2,
  version: "1.0.0",
  description: "Writes a manifest line per file instead of storing the file (an example plugin)",
  options: [{ name: "dir", type: "path", help: "folder for manifest.jsonl", required: true }],
  assets: {
    capabilities: [],
    async open(options, ctx) {
      const path = `${options.dir}/manifest.jsonl`;
      await Deno.mkdir(String(options.dir), { recursive: true });
      const known = new Map<string, Line>();
      try {
        for (const text of (await Deno.readTextFile(path)).split("\n")) {
          if (text) known.set((JSON.parse(text) as Line).sha1, JSON.parse(text));
        }
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      return {
        key: `manifest:${options.dir}`,
        async put(group: ExportedGroup) {
          const resources: RemoteRef[] = [];
          for (const f of group.files) {
            const duplicate = known.has(f.sha1);
            if (!duplicate) {
              const line = { sha1: f.sha1, asset: group.asset.id, key: f.key, name: f.name, size: f.size };
              await Deno.writeTextFile(path, JSON.stringify(line) + "\n", { append: true });
              known.set(f.sha1, line);
            }
            resources.push({ key: f.key, remoteId: f.sha1, duplicate });
          }
          ctx.log.debug(`recorded ${group.files.length} files of ${group.asset.id}`);
          return { resources };
        },
        async close() {},
      };
    },
  },
} satisfies DestinationPlugin;

export default plugin;
