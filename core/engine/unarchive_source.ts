/**
 * What `unarchive` reads: each archived asset as it was archived, not as Immich lists it. Immich
 * lists a still and its Live Photo video; the archive also holds the edit, the RAW half and the
 * adjustment data, as assets of their own (stacked) or in the sidecar store. So the Immich asset
 * the listing yields is given back every file the tracker recorded for it, with its role and name:
 * the files Immich holds are downloaded by their Immich ids (`sourceData.files`, which
 * `source.immich` reads), the sidecars are copied out of the store, each checked by its SHA-1.
 *
 * @example
 * ```ts
 * const source = archivedSource(immich, new ArchivedFiles(tracker, photos), wanted, store);
 * ```
 * @module
 */
import { join } from "node:path";
import type { Asset, Subtype } from "../model/asset.ts";
import type { PlannedResource } from "../model/plan.ts";
import { PermanentError } from "../plugin/errors.ts";
import type { SourceFile, SourceSession } from "../plugin/types.ts";
import type { ArchivedFile } from "../tracker/archive_state.ts";
import { hashFile } from "./hash.ts";
import type { SidecarStore } from "./sidecar_store.ts";

/**
 * The Immich source, yielding each wanted asset (by Immich id) with its archived files; `files`
 * gives them for an Immich id, undefined for an asset that is not being brought back this way.
 */
export function archivedSource(
  immich: SourceSession,
  files: (immichId: string) => ArchivedFile[] | undefined,
  store: SidecarStore | undefined,
): SourceSession {
  const kept = new Map<string, ArchivedFile[]>();
  return {
    ...immich,
    async *list() {
      for await (const asset of immich.list()) {
        const archived = files(asset.id);
        if (archived) kept.set(asset.id, archived);
        yield archived ? asArchived(asset, archived) : asset;
      }
    },
    async export(request) {
      const archived = kept.get(request.asset.id);
      if (!archived) return immich.export(request);
      // Planned again, a file is known by its role and name (its key may differ from the archived one).
      const fileOf = (r: PlannedResource) =>
        archived.find((f) => f.role === r.resource.role && f.name === r.resource.filename);
      const inStore = (r: PlannedResource) =>
        store !== undefined && fileOf(r) !== undefined && !atImmich(fileOf(r));
      const resources = request.plan.resources.filter((r) => !inStore(r));
      const out: SourceFile[] = await immich.export({ ...request, plan: { ...request.plan, resources } });
      for (const r of request.plan.resources.filter(inStore)) {
        out.push({ key: r.key, path: await fromStore(store!, request.asset, fileOf(r)!, request.dir) });
      }
      return out;
    },
  };
}

/** Immich holds the file (an asset id), rather than the sidecar store (`unsupported:<sha1>`). */
function atImmich(file: ArchivedFile | undefined): boolean {
  return file !== undefined && !file.remoteId.includes(":");
}

/** The Immich asset with the files it was archived with, so the handlers plan them all again. */
function asArchived(asset: Asset, files: ArchivedFile[]): Asset {
  const roles = new Set(files.map((f) => f.role));
  const subtypes = new Set<Subtype>(asset.subtypes);
  if (roles.has("motion")) subtypes.add("live");
  if (roles.has("raw")) subtypes.add("raw_jpeg");
  return {
    ...asset,
    edited: roles.has("edited"),
    subtypes: [...subtypes],
    resources: files.map((f) => ({ role: f.role, filename: f.name, present: true })),
    sourceData: {
      ...asset.sourceData,
      // sourceData holds plain values: the list travels as JSON text.
      files: JSON.stringify(
        files.filter(atImmich).map((f) => ({
          role: f.role,
          name: f.name,
          id: f.remoteId,
          sha1: f.sha1,
        })),
      ),
    },
  };
}

/** A sidecar copied out of the store into the export directory, checked by its SHA-1. */
async function fromStore(
  store: SidecarStore,
  asset: Asset,
  file: ArchivedFile,
  dir: string,
): Promise<string> {
  const path = join(dir, `${file.key}-${file.name.replace(/[/\\]/g, "_")}`);
  await Deno.copyFile(store.pathOf(file.sha1), path).catch((e) => {
    throw new PermanentError(
      `${asset.filename}: its ${file.name} is missing from the sidecar store (${e.message})`,
    );
  });
  const { sha1 } = await hashFile(path);
  if (sha1 !== file.sha1) {
    throw new PermanentError(
      `${asset.filename}: its ${file.name} in the sidecar store has SHA-1 ${sha1}, not ${file.sha1}`,
    );
  }
  return path;
}

export { type ArchivedFile, archivedFiles } from "../tracker/archive_state.ts";
