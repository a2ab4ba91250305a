/**
 * The bundle `archive --cold` stores for an archived asset: every planned file (resources and
 * sidecars) with the bytes checked against the SHA-1s the archive verified in Immich, and the
 * asset's metadata as an XMP sidecar (the folder destination's writer, `core/model/xmp.ts`). The
 * bytes come from the Photos library while the asset is still there, else from Immich
 * (`source.immich`), which yields the original and a Live Photo's video.
 *
 * @example
 * ```ts
 * await collectBundles({ ...options, wanted }, async (found) => {
 *   if ("reason" in found) console.log(found.assetId, found.reason);
 *   else await store(found);
 * });
 * ```
 * @module
 */
import { join } from "node:path";
import type { Asset } from "../model/asset.ts";
import type { ExportedFile, Plan } from "../model/plan.ts";
import type { PlanPolicy } from "../model/policy.ts";
import { xmpPacket } from "../model/xmp.ts";
import { messageOf } from "../plugin/errors.ts";
import type { SourceSession } from "../plugin/types.ts";
import { hashFile } from "./hash.ts";
import { planAsset } from "./import_plan.ts";
import type { HandlerEntry } from "./import_types.ts";

/** The resource key of the metadata sidecar in a cold bundle. */
export const XMP_KEY = "metadata_xmp";

export interface Bundle {
  /** The asset with its Photos id, whichever side its bytes came from. */
  asset: Asset;
  plan: Plan;
  /** The planned files, then the XMP sidecar. */
  files: ExportedFile[];
  from: "photos" | "immich";
}

export interface WantedAsset {
  /** Its Photos id. */
  assetId: string;
  /** The SHA-1 of each file as Immich was verified to hold it, by resource key. */
  verified: Record<string, string>;
  /** Its original's Immich id (what `source.immich` lists it as). */
  immichId?: string;
}

export interface BundleOptions {
  wanted: WantedAsset[];
  photos?: SourceSession;
  immich?: SourceSession;
  handlers: HandlerEntry[];
  policy?: Partial<PlanPolicy>;
  /** A directory for the exports, removed by the caller. */
  dir: string;
  signal?: AbortSignal;
}

export type BundleFound = Bundle | { assetId: string; filename: string; reason: string };

/** Hands each wanted asset's bundle (or why there is none) to `each`, Photos first, then Immich. */
export async function collectBundles(
  options: BundleOptions,
  each: (found: BundleFound) => Promise<void>,
): Promise<void> {
  const left = new Map(options.wanted.map((w) => [w.assetId, w]));
  if (options.photos) {
    for await (const asset of options.photos.list()) {
      options.signal?.throwIfAborted();
      const wanted = left.get(asset.id);
      if (!wanted || asset.trashed) continue;
      left.delete(asset.id);
      await each(await bundleOf(options, options.photos, asset, wanted, "photos"));
    }
  }
  const byImmichId = new Map([...left.values()].filter((w) => w.immichId).map((w) => [w.immichId!, w]));
  if (options.immich && byImmichId.size > 0) {
    for await (const asset of options.immich.list()) {
      options.signal?.throwIfAborted();
      const wanted = byImmichId.get(asset.id);
      if (!wanted) continue;
      left.delete(wanted.assetId);
      await each(await bundleOf(options, options.immich, asset, wanted, "immich"));
    }
  }
  for (const w of left.values()) {
    await each({
      assetId: w.assetId,
      filename: w.assetId,
      reason: "it is neither in the Photos library nor in Immich; nothing to store",
    });
  }
}

/** Exports and hashes one asset's files; refuses one whose bytes are not those Immich was verified to hold. */
async function bundleOf(
  options: BundleOptions,
  source: SourceSession,
  listed: Asset,
  wanted: WantedAsset,
  from: Bundle["from"],
): Promise<BundleFound> {
  const asset = { ...listed, id: wanted.assetId };
  const refuse = (reason: string) => ({ assetId: wanted.assetId, filename: asset.filename, reason });
  const plan = planAsset(listed, options.handlers, { policy: options.policy });
  const dir = join(options.dir, crypto.randomUUID());
  await Deno.mkdir(dir, { recursive: true });
  let exported;
  try {
    exported = await source.export({ asset: listed, plan, dir, allowNetwork: true });
  } catch (e) {
    return refuse(
      `its files could not be read from ${from === "photos" ? "Photos" : "Immich"}: ${messageOf(e)}`,
    );
  }
  const files: ExportedFile[] = [];
  for (const planned of plan.resources) {
    const file = exported.find((f) => f.key === planned.key);
    if (!file) {
      return refuse(`${from === "photos" ? "Photos" : "Immich"} gave no file for its ${planned.key}`);
    }
    files.push({ key: planned.key, name: planned.name, path: file.path, ...await hashFile(file.path) });
  }
  for (const [key, sha1] of Object.entries(wanted.verified)) {
    const file = files.find((f) => f.key === key);
    if (!file) return refuse(`its ${key} cannot be read from ${from === "photos" ? "Photos" : "Immich"}`);
    if (file.sha1 !== sha1) {
      return refuse(
        `its ${key} differs from the copy verified in Immich (SHA-1 ${file.sha1}, verified ${sha1})`,
      );
    }
  }
  files.push(await writeXmp(dir, asset, plan));
  return { asset, plan, files, from };
}

/** The metadata sidecar, named after the primary file (`IMG_0001.xmp`). */
async function writeXmp(dir: string, asset: Asset, plan: Plan): Promise<ExportedFile> {
  const primary = plan.resources.find((r) => r.key === plan.primary) ?? plan.resources[0];
  const stem = (primary?.name ?? asset.filename).replace(/\.[^.]*$/, "") || "asset";
  const name = `${stem}.xmp`;
  const path = join(dir, name);
  await Deno.writeTextFile(path, xmpPacket(asset));
  return { key: XMP_KEY, name, path, ...await hashFile(path) };
}
