/**
 * What Immich holds of stored assets now, in the synced shape (`read`, for the two-way `sync`):
 * one `GET /assets/{id}` per asset, and one album lookup per asset when albums are kept.
 * @module
 */
import type { FaceBox, PersonInAsset } from "../../../core/model/asset.ts";
import { blankless, type SideFields, type SyncedDate } from "../../../core/model/synced.ts";
import type { RemoteAsset } from "../../../core/plugin/types.ts";
import type { AlbumSync } from "./_albums.ts";
import type { ImmichClient } from "./_client.ts";
import { MEDIA_TAGS } from "./_metadata.ts";

/** The parts of Immich's asset JSON the synced fields come from. */
export interface ImmichAsset {
  id: string;
  isFavorite: boolean;
  isTrashed: boolean;
  visibility: string;
  updatedAt: string;
  localDateTime: string;
  exifInfo?: {
    dateTimeOriginal?: string | null;
    timeZone?: string | null;
    description?: string | null;
    latitude?: number | null;
    longitude?: number | null;
    rating?: number | null;
    exifImageWidth?: number | null;
    exifImageHeight?: number | null;
    orientation?: string | null;
  };
  tags?: { id: string; value: string }[];
  people?: ImmichPerson[];
}

export interface ImmichFace {
  id: string;
  imageWidth: number;
  imageHeight: number;
  boundingBoxX1: number;
  boundingBoxY1: number;
  boundingBoxX2: number;
  boundingBoxY2: number;
}

export interface ImmichPerson {
  id: string;
  name: string;
  faces?: ImmichFace[];
}

/** How many lookups run at once: enough to hide latency, few enough to spare a small server. */
const PARALLEL = 8;

export class RemoteReader {
  constructor(
    readonly client: ImmichClient,
    /** Absent when albums are off: then the asset's albums are not this tool's to report. */
    readonly albums: AlbumSync | undefined,
    /** Whether keywords travel as tags. */
    readonly keywords: boolean,
  ) {}

  /** Each asset as Immich holds it, or null for one it no longer has (400 "Not found"). */
  async read(remoteIds: string[]): Promise<Record<string, RemoteAsset | null>> {
    const result: Record<string, RemoteAsset | null> = {};
    const queue = [...new Set(remoteIds)];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) result[id] = await this.#one(id);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
    return result;
  }

  async #one(id: string): Promise<RemoteAsset | null> {
    const answer = await this.client.request<ImmichAsset>("GET", `/assets/${id}`, undefined, {
      what: `reading asset ${id}`,
      accept: [400, 404],
    });
    if (answer.status !== 200) return null;
    const fields = fieldsOfImmich(answer.body, this.keywords);
    if (this.albums) fields.albums = await this.albums.managedOf(id);
    return { fields, trashed: answer.body.isTrashed, updatedAt: answer.body.updatedAt };
  }
}

/** The synced fields Immich keeps of an asset (no title; albums are added by the caller). */
export function fieldsOfImmich(asset: ImmichAsset, keywords: boolean): SideFields {
  const exif = asset.exifInfo ?? {};
  const fields: SideFields = {
    favorite: asset.isFavorite,
    hidden: asset.visibility !== "timeline",
    caption: blankless(exif.description),
    location: typeof exif.latitude === "number" && typeof exif.longitude === "number"
      ? { latitude: exif.latitude, longitude: exif.longitude }
      : null,
    captured: capturedOf(asset),
    // Immich stores "no stars" as 0 (a rating cannot be cleared to null through the API).
    rating: exif.rating && exif.rating > 0 ? exif.rating : null,
    people: peopleOf(asset.people ?? []),
  };
  if (keywords) {
    fields.keywords = [
      ...new Set((asset.tags ?? []).map((t) => t.value).filter((v) => !v.startsWith(MEDIA_TAGS))),
    ].sort();
  }
  return fields;
}

/**
 * The capture instant with its offset. Immich shows the offset as the zone (`UTC+1`, `UTC-8`) when
 * metadata extraction read one, or an IANA name it found from the place; with a zone, the wall time
 * it shows (`localDateTime`) less the instant is the offset it applies. No zone: the file's date was
 * taken as UTC, the offset is unknown (transcript 14).
 */
export function capturedOf(asset: ImmichAsset): SyncedDate | null {
  const original = asset.exifInfo?.dateTimeOriginal;
  if (!original) return null;
  const utc = new Date(original).toISOString();
  const zone = asset.exifInfo?.timeZone;
  if (!zone) return { utc, offsetSeconds: null };
  const fixed = /^UTC([+-])(\d{1,2})(?::(\d{2}))?$/.exec(zone);
  if (fixed) {
    const seconds = Number(fixed[2]) * 3600 + Number(fixed[3] ?? 0) * 60;
    return { utc, offsetSeconds: fixed[1] === "-" ? -seconds : seconds };
  }
  if (zone === "UTC") return { utc, offsetSeconds: 0 };
  return { utc, offsetSeconds: Math.round((Date.parse(asset.localDateTime) - Date.parse(utc)) / 1000) };
}

/** Named people, each with its first face as fractions of the image Immich measured it on. */
function peopleOf(people: ImmichPerson[]): PersonInAsset[] {
  return people.filter((p) => p.name.trim() !== "").map((p) => {
    const face = p.faces?.[0];
    return face ? { name: p.name, face: boxOf(face) } : { name: p.name };
  }).sort((a, b) => a.name.localeCompare(b.name));
}

function boxOf(face: ImmichFace): FaceBox {
  const { imageWidth: w, imageHeight: h } = face;
  return {
    x: face.boundingBoxX1 / w,
    y: face.boundingBoxY1 / h,
    width: (face.boundingBoxX2 - face.boundingBoxX1) / w,
    height: (face.boundingBoxY2 - face.boundingBoxY1) / h,
  };
}
