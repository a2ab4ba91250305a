/**
 * The upload of one resource to Immich: the multipart fields this server version wants, the XMP
 * sidecar with the asset's metadata, one buffer for small files and a stream from disk for big
 * ones, and an answered id that is read back before it is believed.
 * @module
 */
import { extName } from "../../../core/model/path.ts";
import type { ExportedFile, ExportedGroup, PlannedResource } from "../../../core/model/plan.ts";
import { RetryableError } from "../../../core/plugin/errors.ts";
import { AdaptiveLimit, uploadSize } from "./_adaptive.ts";
import type { ImmichClient, ServerVersion } from "./_client.ts";
import { multipartBody, multipartBytes, type Part } from "./_multipart.ts";
import type { Visibility } from "./_settings.ts";
import { localIso, xmpSidecar } from "./_xmp.ts";

/** The key under which the Photos asset id is stored in Immich's asset metadata (3.x). */
export const METADATA_KEY = "photos-sync";
/**
 * Files up to this size go up as one buffer, bigger ones stream from disk (see `_multipart.ts`).
 * Small, because buffers of photos in flight add up: 1.4 MB camera JPEGs sent whole peaked at 106
 * to 118 MB, streamed at 86 MB, no slower into the realistic emulator (docs/benchmarks.md).
 */
export const IN_MEMORY_UPLOAD = 256 << 10;
/** Room in a pooled buffer for the form fields and the XMP sidecar besides the file. */
const FIELDS_ROOM = 64 << 10;

/** The buffers of finished uploads, for the next ones to take. */
class BufferPool {
  readonly #free: Uint8Array[] = [];
  take(): Uint8Array {
    return this.#free.pop() ?? new Uint8Array(IN_MEMORY_UPLOAD + FIELDS_ROOM);
  }
  give(buffer: Uint8Array): void {
    this.#free.push(buffer);
  }
}

const MIME: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".heic": "image/heic",
  ".heif": "image/heif",
  ".gif": "image/gif",
  ".tif": "image/tiff",
  ".tiff": "image/tiff",
  ".dng": "image/x-adobe-dng",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".mov": "video/quicktime",
  ".mp4": "video/mp4",
  ".m4v": "video/x-m4v",
};

/** `IMG 01é.HEIC` -> `IMG 01e.HEIC`: a part name every multipart parser reads the same way. */
export function asciiName(name: string): string {
  return name.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^\x20-\x7e]/g, "_");
}

/** Immich's duration field: milliseconds from 3.0, `H:MM:SS.ffffff` before. */
export function durationField(seconds: number, version: ServerVersion): string {
  if (version.major >= 3) return String(Math.round(seconds * 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = (seconds % 60).toFixed(6).padStart(9, "0");
  return `${h}:${String(m).padStart(2, "0")}:${s}`;
}

export interface UploadOptions {
  visibility: Visibility;
  livePhotoVideoId?: string;
  /** The asset's Immich tags, for the sidecar. */
  tags: string[];
}

export interface Uploaded {
  id: string;
  status: "created" | "duplicate";
}

export class Uploader {
  /** Uploads in flight, adapted to the server's answers (see `_adaptive.ts`). */
  readonly limit = new AdaptiveLimit();
  readonly #buffers = new BufferPool();

  constructor(readonly client: ImmichClient, readonly version: ServerVersion) {}

  /**
   * Uploads, and never hands back an id that does not read back: right after a permanent delete
   * Immich may answer `duplicate` with the id of the asset it is still removing.
   */
  async uploadVerified(
    group: ExportedGroup,
    r: PlannedResource,
    file: ExportedFile,
    options: UploadOptions,
  ): Promise<Uploaded> {
    const answer = await this.#upload(group, r, file, options);
    if (answer.status !== "duplicate" || await this.readsBack(answer.id)) return answer;
    const again = await this.#upload(group, r, file, options);
    if (again.status !== "duplicate" || await this.readsBack(again.id)) return again;
    throw new RetryableError(
      `Immich says ${r.name} is already there as ${again.id}, but that asset does not exist ` +
        `(it is probably being deleted); the next run retries it`,
    );
  }

  /** Whether the asset `id` exists for this user (in the trash counts); a deleted id reads 400. */
  async readsBack(id: string): Promise<boolean> {
    const answer = await this.client.request("GET", `/assets/${id}`, undefined, {
      what: `reading back asset ${id}`,
      accept: [400, 404],
    });
    return answer.status === 200;
  }

  async #upload(
    group: ExportedGroup,
    r: PlannedResource,
    file: ExportedFile,
    options: UploadOptions,
  ): Promise<Uploaded> {
    const parts = [...await this.#fields(group, r, file, options), ...fileParts(group, r, file, options)];
    const request = { what: `uploading ${r.name} (${r.role} of ${group.asset.id})` };
    // The body is read inside the limit, so an upload held back holds no buffer.
    const answer = await this.limit.run(async () => {
      if (file.size <= IN_MEMORY_UPLOAD) {
        // A body fits a pooled buffer unless its sidecar is huge (then it gets one of its own).
        const buffer = this.#buffers.take();
        try {
          const body = await multipartBytes(parts, undefined, buffer);
          const headers = { "content-type": body.contentType, "x-immich-checksum": file.sha1 };
          return await this.client.post<Uploaded>("/assets", body.bytes, headers, request);
        } finally {
          this.#buffers.give(buffer);
        }
      }
      const body = multipartBody(parts);
      const headers = { "content-type": body.contentType, "x-immich-checksum": file.sha1 };
      return await this.client.stream<Uploaded>("/assets", body, headers, request);
    }, uploadSize(file.size));
    if (!answer.body || typeof answer.body.id !== "string") {
      throw new RetryableError(`Immich answered the upload of ${r.name} without an asset id`);
    }
    return answer.body;
  }

  /** The form fields before the file: dates, flags, the name, and what this version requires. */
  async #fields(
    group: ExportedGroup,
    r: PlannedResource,
    file: ExportedFile,
    options: UploadOptions,
  ): Promise<Part[]> {
    const { asset, plan } = group;
    const created = asset.captured
      ? localIso(asset.captured)
      : asset.added ?? asset.modified ?? (await Deno.stat(file.path)).mtime?.toISOString() ??
        new Date().toISOString();
    const parts: Part[] = [];
    if (this.version.major < 3) {
      // Required before 3.0 and removed in it; never used as identity (the tracker has the ids).
      parts.push({ name: "deviceAssetId", value: `photos-sync-${asset.id}-${r.key}` });
      parts.push({ name: "deviceId", value: "photos-sync" });
    }
    parts.push({ name: "fileCreatedAt", value: created });
    parts.push({ name: "fileModifiedAt", value: asset.modified ?? created });
    if (r.key === plan.primary && asset.favorite) parts.push({ name: "isFavorite", value: "true" });
    if (options.visibility !== "timeline") parts.push({ name: "visibility", value: options.visibility });
    if (options.livePhotoVideoId) parts.push({ name: "livePhotoVideoId", value: options.livePhotoVideoId });
    parts.push({ name: "filename", value: r.name });
    if (r.role === "original" && asset.kind === "video" && asset.durationSeconds) {
      parts.push({ name: "duration", value: durationField(asset.durationSeconds, this.version) });
    }
    if (this.version.major >= 3) {
      parts.push({
        name: "metadata",
        value: JSON.stringify([{ key: METADATA_KEY, value: { photosAssetId: asset.id, resource: r.key } }]),
      });
    }
    return parts;
  }
}

/** The file itself, and its XMP sidecar when the resource is shown. */
function fileParts(
  group: ExportedGroup,
  r: PlannedResource,
  file: ExportedFile,
  options: UploadOptions,
): Part[] {
  const ext = extName(r.name).toLowerCase();
  const parts: Part[] = [{
    name: "assetData",
    filename: asciiName(r.name),
    contentType: MIME[ext] ?? "application/octet-stream",
    path: file.path,
    size: file.size,
  }];
  // A motion video is never shown on its own; its still carries the metadata.
  const xmp = r.hidden ? undefined : xmpSidecar(group.asset, options.tags);
  if (xmp) {
    const stem = asciiName(r.name).slice(0, asciiName(r.name).length - ext.length);
    parts.push({
      name: "sidecarData",
      filename: `${stem}.xmp`,
      contentType: "application/rdf+xml",
      data: new TextEncoder().encode(xmp),
    });
  }
  return parts;
}
