/**
 * The asset model every source yields and every handler and destination reads.
 *
 * It is plain data (JSON-serialisable) so that it can cross the FFI boundary, be printed by
 * `scan --json` and be stored in the tracker without translation.
 *
 * @example
 * ```ts
 * const asset: Asset = {
 *   id: "9F1C…", kind: "photo", filename: "IMG_0001.HEIC", favorite: false, hidden: false,
 *   trashed: false, keywords: [], albums: [], subtypes: ["live"], edited: false, referenced: false,
 *   resources: [{ role: "original", filename: "IMG_0001.HEIC", present: true, path: "/…/9F1C.heic" }],
 * };
 * ```
 * @module
 */

/** Photo or video, as Photos shows it (a Live Photo is a photo). */
export type MediaKind = "photo" | "video";

/** Every Apple media subtype the tool recognises. Handlers claim assets by these. */
export const SUBTYPES = [
  "live",
  "portrait",
  "hdr",
  "panorama",
  "screenshot",
  "screen_recording",
  "slomo",
  "timelapse",
  "cinematic",
  "spatial",
  "raw_jpeg",
  "proraw",
  "raw",
  "burst",
] as const;
export type Subtype = typeof SUBTYPES[number];

/**
 * What a file is to its asset (PhotoKit's `PHAssetResourceType` in brackets):
 * - `original`: the file Photos imported (photo, video, audio);
 * - `motion`: the video half of a Live Photo (pairedVideo);
 * - `raw`: the RAW half of a RAW+JPEG pair (alternatePhoto);
 * - `adjustment`: edit data, e.g. `.aae` or `.plist` (adjustmentData);
 * - `adjustment_base`: the intermediate a multi-step edit starts from (adjustmentBasePhoto/Video/PairedVideo);
 * - `edited`, `edited_motion`: the rendered edit (fullSizePhoto/fullSizeVideo, fullSizePairedVideo);
 * - `sidecar`: anything else that belongs to the asset (XMP, depth data kept apart).
 */
export type ResourceRole =
  | "original"
  | "motion"
  | "raw"
  | "adjustment"
  | "adjustment_base"
  | "edited"
  | "edited_motion"
  | "sidecar";

/** One file of an asset as the source knows it. */
export interface Resource {
  role: ResourceRole;
  /** The name the file should travel under (the user-visible name, not the library's UUID name). */
  filename: string;
  /** Uniform type identifier, when the source knows it. */
  uti?: string;
  /** Size in bytes, when the source knows it without reading the file. */
  size?: number;
  /** Absolute path on disk, for sources that keep files on disk. */
  path?: string;
  /** False when the file is not on disk (iCloud-only, missing original, offline volume). */
  present: boolean;
}

/** A capture date: the instant in UTC plus the local offset the camera recorded. */
export interface CaptureDate {
  /** ISO-8601 UTC instant, e.g. `2024-05-01T10:00:00.000Z`. */
  utc: string;
  /** Seconds east of UTC at the place of capture, when known. */
  offsetSeconds?: number;
  /** IANA name or Apple's name for the zone, when known (e.g. `Europe/Berlin`, `GMT+0200`). */
  timeZone?: string;
}

/** An album the asset belongs to, with the folder path above it (outermost first). */
export interface AlbumRef {
  id: string;
  title: string;
  folders: string[];
  /** An iCloud shared album the user subscribes to or owns, not one of the library's own albums. */
  shared?: boolean;
  /** The asset's place in the album's manual order (ascending), when the source knows it. */
  position?: number;
}

/** A face in the image as it is shown (orientation applied), as fractions of its width and height. */
export interface FaceBox {
  /** Left edge, 0..1 from the left. */
  x: number;
  /** Top edge, 0..1 from the top. */
  y: number;
  width: number;
  height: number;
}

/** A named person in an asset, with where their face is when the source knows it. */
export interface PersonInAsset {
  name: string;
  face?: FaceBox;
}

export interface Location {
  latitude: number;
  longitude: number;
}

export interface BurstInfo {
  id: string;
  /** Picked by the user or by Photos (shown in the library). */
  picked: boolean;
  /** The key (representative) frame of the burst. */
  key: boolean;
}

export interface CloudState {
  /** The asset belongs to an iCloud Photos library. */
  synced: boolean;
  /**
   * The source records the original as on this disk (false: only in iCloud, must be downloaded).
   * A file recorded as local can still be missing: each resource's `present` says what the disk says.
   */
  originalLocal: boolean;
}

export interface SharingState {
  /** Comes from an iCloud shared album. */
  sharedAlbum: boolean;
  /** Belongs to the iCloud Shared Photo Library. */
  sharedLibrary: boolean;
  /** Who added it to the Shared Library or shared album, as the source names them, when known. */
  contributor?: string;
}

/** One asset of a source, with every fact later steps need. */
export interface Asset {
  /** Stable identity within the source: the Photos UUID for Apple sources. */
  id: string;
  kind: MediaKind;
  /** The original filename shown to the user. */
  filename: string;
  uti?: string;
  captured?: CaptureDate;
  /** ISO-8601 UTC. */
  added?: string;
  /** ISO-8601 UTC; used to notice changes between runs. */
  modified?: string;
  location?: Location;
  favorite: boolean;
  hidden: boolean;
  trashed: boolean;
  title?: string;
  caption?: string;
  keywords: string[];
  /** 0 to 5 stars, when the source keeps a rating (Photos does not; folders' XMP may). */
  rating?: number;
  /** Named people, with their face boxes where known. */
  people?: PersonInAsset[];
  albums: AlbumRef[];
  burst?: BurstInfo;
  edited: boolean;
  cloud?: CloudState;
  sharing?: SharingState;
  /** The original lives outside the library bundle. */
  referenced: boolean;
  subtypes: Subtype[];
  /** Live Photo content identifier shared by the still and its motion video. */
  liveContentId?: string;
  /** RAW+JPEG pair: Photos shows the RAW as the original (ZORIGINALRESOURCECHOICE 1). */
  rawPrimary?: boolean;
  width?: number;
  height?: number;
  /** Video duration in seconds. */
  durationSeconds?: number;
  resources: Resource[];
  /**
   * The source's own values behind the facts above, as read (e.g. Photos' `ZKINDSUBTYPE` as
   * `kindSubtype`), for `scan` and diagnostics. Decide on the facts, never on these: their meaning
   * is the source's and may change with its versions.
   */
  sourceData?: Record<string, string | number | boolean | null>;
}

/** The resource of a given role, if the asset has one. */
export function resourceOf(asset: Asset, role: ResourceRole): Resource | undefined {
  return asset.resources.find((r) => r.role === role);
}

/**
 * Whether exporting this asset needs a download first: a file it would send is not on disk but the
 * asset is in iCloud Photos. (A file that is missing and not in iCloud is a problem, not a download.)
 * Handlers plan every file of an asset, so any of them can be the one to fetch.
 */
export function needsDownload(asset: Asset): boolean {
  if (asset.cloud?.originalLocal === false) return true;
  return asset.cloud?.synced === true && asset.resources.some((r) => !r.present);
}

/** Whether a resource can be exported: on disk, or in iCloud Photos where it can be downloaded. */
export function obtainable(asset: Asset, resource: Resource): boolean {
  return resource.present || asset.cloud?.synced === true;
}
