/**
 * Turns PhotoKit's description of an asset into the {@link Asset} every source yields, so that the
 * engine, the handlers and the tracker cannot tell PhotoKit from the `.photoslibrary` reader:
 * the same ids (bare UUIDs), the same roles, the same subtypes.
 *
 * @example
 * ```ts
 * const asset = toAsset(nativeAsset);   // undefined for audio-only assets
 * ```
 * @module
 */
import type {
  AlbumRef,
  Asset,
  CaptureDate,
  Resource,
  ResourceRole,
  Subtype,
} from "../../../core/model/asset.ts";
import type { NativeAsset, NativeResource } from "./bridge.ts";

/** `9F1C…/L0/001` -> `9F1C…`: photos-sync keys Photos assets by UUID, whatever the source. */
export function bareId(localIdentifier: string): string {
  const slash = localIdentifier.indexOf("/");
  return slash < 0 ? localIdentifier : localIdentifier.slice(0, slash);
}

/** `PHAssetResourceType` case -> role, as core/model/asset.ts documents it. */
const ROLE_OF_TYPE: Record<string, ResourceRole> = {
  photo: "original",
  video: "original",
  audio: "original",
  alternatePhoto: "raw",
  fullSizePhoto: "edited",
  fullSizeVideo: "edited",
  adjustmentData: "adjustment",
  adjustmentBasePhoto: "adjustment_base",
  pairedVideo: "motion",
  fullSizePairedVideo: "edited_motion",
  adjustmentBasePairedVideo: "adjustment_base",
  adjustmentBaseVideo: "adjustment_base",
  photoProxy: "sidecar",
};

/**
 * The resource types a role can stand for, for finding the resource again at export time (with
 * its filename, which tells apart two resources of one role). `original` and `raw` each include
 * the other's type because a RAW+JPEG pair whose RAW Photos shows as the original is listed with
 * the JPEG as `original` (see {@link toAsset}).
 */
export function typesForRole(role: ResourceRole): string[] {
  const types = Object.entries(ROLE_OF_TYPE).filter(([, r]) => r === role).map(([t]) => t);
  if (role === "original") types.push("alternatePhoto");
  if (role === "raw") types.push("photo");
  return types;
}

/** `PHAssetMediaSubtype` member -> subtype; members without a counterpart are left out. */
const SUBTYPE_OF: Record<string, Subtype> = {
  photoPanorama: "panorama",
  photoHDR: "hdr",
  photoScreenshot: "screenshot",
  photoLive: "live",
  photoDepthEffect: "portrait",
  spatialMedia: "spatial",
  videoHighFrameRate: "slomo",
  videoTimelapse: "timelapse",
  videoScreenRecording: "screen_recording",
  videoCinematic: "cinematic",
};

const EDITED_TYPES = new Set(["fullSizePhoto", "fullSizeVideo", "fullSizePairedVideo"]);

/**
 * The asset for one PhotoKit asset, or undefined when photos-sync has no place for it (audio-only
 * assets, which Photos for macOS does not create, and assets without a type).
 */
export function toAsset(native: NativeAsset): Asset | undefined {
  if (native.mediaType !== "image" && native.mediaType !== "video") return undefined;
  const id = bareId(native.localIdentifier);
  const kind = native.mediaType === "image" ? "photo" : "video";
  const known = native.resources.filter((r) => r.type in ROLE_OF_TYPE);
  let original = known.find((r) => ROLE_OF_TYPE[r.type] === "original");
  let raw = known.find((r) => r.type === "alternatePhoto");
  // A RAW+JPEG pair lists the RAW as `photo` when the user chose it as the original. The model
  // always calls the JPEG `original` and the RAW `raw`, and says which one Photos shows.
  const rawPrimary = original?.raw === true && raw !== undefined && !raw.raw;
  if (rawPrimary) [original, raw] = [raw, original];

  const resources: Resource[] = [];
  const roleOf = (r: NativeResource): ResourceRole =>
    r === original ? "original" : r === raw ? "raw" : ROLE_OF_TYPE[r.type];
  for (const r of known) {
    const role = roleOf(r);
    // A second file of the original's role (e.g. an audio track beside a video) has no role of its own.
    if (role === "original" && r !== original) continue;
    resources.push({ role, filename: r.filename, uti: r.uti || undefined, present: r.local !== false });
  }
  resources.sort((a, b) => (a.role === "original" ? 0 : 1) - (b.role === "original" ? 0 : 1));

  const subtypes = new Set<Subtype>();
  for (const name of native.mediaSubtypes) if (SUBTYPE_OF[name]) subtypes.add(SUBTYPE_OF[name]);
  if (native.burstIdentifier) subtypes.add("burst");
  if (raw) subtypes.add("raw_jpeg");
  else if (original?.raw) subtypes.add("raw");

  const filename = original?.filename || `${id}.${kind === "photo" ? "jpg" : "mov"}`;
  const asset: Asset = {
    id,
    kind,
    filename,
    uti: original?.uti || undefined,
    captured: captureDate(native),
    modified: native.modificationDate ? new Date(native.modificationDate).toISOString() : undefined,
    location: native.location ?? undefined,
    favorite: native.favorite,
    hidden: native.hidden,
    // PhotoKit does not list what is in Recently Deleted.
    trashed: false,
    keywords: [],
    albums: (native.albums ?? []).map((a): AlbumRef => ({
      id: bareId(a.localIdentifier),
      title: a.title,
      folders: [...a.folders],
    })),
    burst: native.burstIdentifier
      ? {
        id: native.burstIdentifier,
        picked: (native.burstSelectionTypes ?? []).length > 0,
        key: native.representsBurst ?? false,
      }
      : undefined,
    edited: native.resources.some((r) => EDITED_TYPES.has(r.type)),
    // A file PhotoKit can deliver but does not have on this Mac is in iCloud Photos. When every file
    // is here, PhotoKit does not say whether the library syncs with iCloud, so nothing is claimed.
    cloud: resources.some((r) => !r.present)
      ? { synced: true, originalLocal: original?.local !== false }
      : undefined,
    sharing: native.sourceTypes.includes("cloudShared")
      ? { sharedAlbum: true, sharedLibrary: false }
      : undefined,
    referenced: false,
    subtypes: [...subtypes],
    rawPrimary: rawPrimary || undefined,
    width: native.pixelWidth || undefined,
    height: native.pixelHeight || undefined,
    durationSeconds: kind === "video" && native.duration ? native.duration : undefined,
    resources,
  };
  for (const key of Object.keys(asset) as (keyof Asset)[]) if (asset[key] === undefined) delete asset[key];
  for (const r of resources) if (r.uti === undefined) delete r.uti;
  return asset;
}

/** The capture instant with the zone PhotoKit keeps for it, when the helper could read one. */
function captureDate(native: NativeAsset): CaptureDate | undefined {
  if (!native.creationDate) return undefined;
  const date: CaptureDate = { utc: new Date(native.creationDate).toISOString() };
  if (typeof native.timeZoneOffset === "number" && Number.isFinite(native.timeZoneOffset)) {
    date.offsetSeconds = native.timeZoneOffset;
  }
  if (native.timeZoneName) date.timeZone = native.timeZoneName;
  return date;
}
