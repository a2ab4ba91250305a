/**
 * What Photos is given for one exported group: its files by PhotoKit resource type and its metadata,
 * as psb_create takes them, plus the files Photos has no place for. Photos keeps an asset's files
 * as one asset, so the plan's keys map to resource types: the original to `photo` or `video`, the
 * motion video to `pairedVideo`, the RAW half to `alternatePhoto`, an edit to its render
 * (`fullSizePhoto`), adjustment data and base. What PHAssetCreationRequest would refuse together is
 * left out here, by name, so that the asset itself is always created.
 *
 * @example
 * ```ts
 * const { call, leftOut } = creationOf(group, ["A1B0…/L0/040"]);
 * // call.resources: [{ type: "photo", … }, { type: "pairedVideo", … }]; leftOut: [{ key: "sidecar", why: … }]
 * ```
 * @module
 */
import type { Asset, ResourceRole } from "../../../core/model/asset.ts";
import type { ExportedFile, ExportedGroup } from "../../../core/model/plan.ts";
import type { CreatableType, CreateCall } from "../../source/photokit/bridge.ts";

/** A file of the group that Photos is not given, and why. */
export interface LeftOut {
  key: string;
  why: string;
}

export interface Creation {
  call: CreateCall;
  leftOut: LeftOut[];
}

const VIDEO = /\.(mov|mp4|m4v|3gp|avi)$/i;

/**
 * What each type needs beside it in one creation (PHAssetCreationRequest's rule, which the C twin
 * of the helper follows too); `a|b` is either.
 */
const NEEDS: Partial<Record<CreatableType, string[]>> = {
  pairedVideo: ["photo"],
  alternatePhoto: ["photo"],
  fullSizePhoto: ["photo", "adjustmentData"],
  fullSizeVideo: ["video", "adjustmentData"],
  adjustmentData: ["fullSizePhoto|fullSizeVideo"],
  adjustmentBasePhoto: ["photo", "adjustmentData"],
  adjustmentBaseVideo: ["video", "adjustmentData"],
  adjustmentBasePairedVideo: ["pairedVideo", "adjustmentData"],
  fullSizePairedVideo: ["pairedVideo", "fullSizePhoto"],
};

/** The group's files and metadata as psb_create takes them; `albums` are Photos album ids. */
export function creationOf(group: ExportedGroup, albums: string[]): Creation {
  const leftOut: LeftOut[] = [];
  const typed = new Map<CreatableType, ExportedFile>();
  for (const file of group.files) {
    const type = typeOf(group, file);
    if (!type) {
      leftOut.push({ key: file.key, why: "Photos keeps no such file with an asset" });
    } else if (typed.has(type)) {
      leftOut.push({ key: file.key, why: `Photos takes one ${type} per asset` });
    } else typed.set(type, file);
  }
  dropUnaccepted(typed, leftOut);
  const resources = [...typed].map(([type, file]) => ({ type, path: file.path, filename: file.name }));
  return { call: { resources, fields: fieldsOf(group.asset, albums) }, leftOut };
}

/** The resource type a file goes in as; undefined for one Photos keeps no place for (sidecars). */
function typeOf(group: ExportedGroup, file: ExportedFile): CreatableType | undefined {
  const video = group.asset.kind === "video";
  const role = roleOf(group, file);
  const rawFirst = group.plan.primary === "raw" && group.files.some((f) => roleOf(group, f) === "original");
  switch (role) {
    case "original":
      return rawFirst ? "alternatePhoto" : video ? "video" : "photo";
    case "raw":
      return rawFirst ? "photo" : "alternatePhoto";
    case "motion":
      return "pairedVideo";
    case "edited":
      return video ? "fullSizeVideo" : "fullSizePhoto";
    case "edited_motion":
      return "fullSizePairedVideo";
    case "adjustment":
      return "adjustmentData";
    case "adjustment_base":
      if (video) return "adjustmentBaseVideo";
      return VIDEO.test(file.name) ? "adjustmentBasePairedVideo" : "adjustmentBasePhoto";
    default:
      return undefined;
  }
}

/**
 * The file's role, with an edit standing in for the original when the plan carries no original
 * (the edit policy `edited`): then the render is what Photos gets as the photo.
 */
function roleOf(group: ExportedGroup, file: ExportedFile): ResourceRole | undefined {
  const role = group.plan.resources.find((r) => r.key === file.key)?.role;
  const hasOriginal = group.plan.resources.some((r) => r.role === "original" || r.role === "raw");
  if (hasOriginal) return role;
  if (role === "edited") return "original";
  if (role === "edited_motion") return "motion";
  return role;
}

/** Leaves out, until none is left, each type that lacks what it needs beside it. */
function dropUnaccepted(typed: Map<CreatableType, ExportedFile>, leftOut: LeftOut[]): void {
  for (let dropped = true; dropped;) {
    dropped = false;
    for (const [type, file] of typed) {
      const lacking = (NEEDS[type] ?? []).find((need) =>
        !need.split("|").some((t) => typed.has(t as CreatableType))
      );
      if (!lacking) continue;
      typed.delete(type);
      leftOut.push({ key: file.key, why: `Photos takes ${type} only with ${lacking.replace("|", " or ")}` });
      dropped = true;
    }
  }
}

/**
 * The asset's metadata as psb_create takes it. The capture zone stays with the file (Photos reads it
 * from there); a rating and people have no place in Photos' API. Title, caption and keywords go only
 * when there are any, since writing them needs the Automation permission.
 */
export function fieldsOf(asset: Asset, albums: string[]): CreateCall["fields"] {
  const fields: CreateCall["fields"] = { favorite: asset.favorite, hidden: asset.hidden };
  if (asset.captured) fields.creationDate = new Date(asset.captured.utc).toISOString();
  if (asset.location) {
    fields.location = { latitude: asset.location.latitude, longitude: asset.location.longitude };
  }
  if (albums.length > 0) fields.albums = albums;
  if (asset.title) fields.title = asset.title;
  if (asset.caption) fields.caption = asset.caption;
  if (asset.keywords.length > 0) fields.keywords = [...asset.keywords];
  return fields;
}
