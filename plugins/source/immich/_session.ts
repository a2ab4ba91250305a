/**
 * One connection of `source.immich` to a server and user: the listing (see `_listing.ts`) and the
 * export, which downloads each planned resource and checks it against the SHA-1 Immich keeps.
 * @module
 */
import { hexOf } from "../../destination/immich/_verify.ts";
import { join } from "node:path";
import type { Asset, ResourceRole } from "../../../core/model/asset.ts";
import { PermanentError } from "../../../core/plugin/errors.ts";
import type { ExportRequest, PluginContext, SourceFile, SourceSession } from "../../../core/plugin/types.ts";
import { type Connection, connectionKey, versionText } from "../../destination/immich/_connect.ts";
import { type Downloader, downloadOriginal } from "./_download.ts";
import { Listing } from "./_listing.ts";

export interface SourceSettings {
  apiKey: string;
  timeoutSeconds: number;
  /** Only these Immich asset ids; undefined: the whole account. */
  ids?: readonly string[];
}

export class ImmichSource implements SourceSession {
  readonly key: string;
  readonly info: Record<string, unknown>;
  readonly #listing: Listing;
  readonly #downloader: Downloader;
  readonly #ids?: readonly string[];

  constructor(server: Connection, settings: SourceSettings, ctx: PluginContext) {
    // The destination's key: assets are namespaced per server and user, whichever way they travel.
    this.key = connectionKey(server);
    this.info = {
      server: `Immich ${versionText(server.version)}`,
      url: server.base,
      user: server.user.email,
    };
    this.#listing = new Listing(server.client, server.user.id, ctx.log);
    this.#downloader = {
      api: server.client.api,
      apiKey: settings.apiKey,
      http: ctx.http,
      timeoutMs: settings.timeoutSeconds * 1000,
      signal: ctx.signal,
    };
    this.#ids = settings.ids;
  }

  list(): AsyncIterable<Asset> {
    return this.#ids ? this.#listing.only(this.#ids) : this.#listing.all();
  }

  /** Downloads each planned resource into `dir`, one after the other, each checked by its SHA-1. */
  async export({ asset, plan, dir }: ExportRequest): Promise<SourceFile[]> {
    const files: SourceFile[] = [];
    for (const planned of plan.resources) {
      const remote = remoteFile(asset, planned.role, planned.resource.filename);
      const path = join(dir, fileName(planned.name, planned.key));
      const what = `downloading ${planned.name} of ${asset.filename} (Immich asset ${remote.id})`;
      const { sha1 } = await downloadOriginal(this.#downloader, remote.id, path, what);
      if (sha1 !== remote.sha1) {
        throw new PermanentError(
          `${asset.filename}: the ${planned.role} ${planned.name} downloaded from Immich (asset ${remote.id}) ` +
            `has SHA-1 ${sha1}, but Immich records ${remote.sha1}: the file on the server is damaged or ` +
            `was replaced; check it in Immich (Administration > Jobs can re-run its checks)`,
        );
      }
      files.push({ key: planned.key, path });
    }
    return files;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The Immich asset that holds a resource, and the SHA-1 (hex) Immich keeps for it. An archived
 * asset brought back by `unarchive` lists each of its files (`sourceData.files`: the edit, the RAW
 * half, ... are Immich assets of their own); a listed one has its original and its motion video.
 */
function remoteFile(asset: Asset, role: ResourceRole, name: string): { id: string; sha1: string } {
  const data = asset.sourceData ?? {};
  const listed = typeof data.files === "string"
    ? (JSON.parse(data.files) as { role: string; name: string; id: string; sha1: string }[])
      .find((f) => f.role === role && f.name === name)
    : undefined;
  const [id, checksum] = listed
    ? [listed.id, listed.sha1]
    : role === "original"
    ? [asset.id, data.checksum]
    : role === "motion"
    ? [data.motionId, data.motionChecksum]
    : [undefined, undefined];
  if (typeof id !== "string" || typeof checksum !== "string") {
    throw new PermanentError(
      `${asset.filename}: Immich holds no ${role} ${name} for this asset (only originals and Live Photo videos)`,
    );
  }
  return { id, sha1: hexOf(checksum) };
}

/**
 * A planned name as a file name inside the export directory: Immich keeps whatever name the
 * uploader sent, so separators and control characters go, and `..` or an overlong name falls
 * back to the plan's key. The host reads the name from the plan, not from the path.
 */
function fileName(name: string, key: string): string {
  // deno-lint-ignore no-control-regex
  const flat = name.replace(/[/\\\x00-\x1f]/g, "_");
  const fits = new TextEncoder().encode(flat).byteLength <= 200;
  return fits && flat !== "" && flat !== "." && flat !== ".." ? flat : key.replace(/[^\w-]/g, "_");
}
