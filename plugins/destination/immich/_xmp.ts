/**
 * Photos' metadata in the form Immich reads on upload: an XMP sidecar (the upload's `sidecarData`)
 * with the capture date and its offset, the caption, the title, the location and keywords. Immich's
 * metadata extraction lets the sidecar win over what the file says, so one upload carries
 * everything, with no follow-up request per asset.
 * @module
 */
import type { Asset, CaptureDate } from "../../../core/model/asset.ts";

/** `+02:00` for 7200 seconds. */
function offsetText(seconds: number): string {
  const sign = seconds < 0 ? "-" : "+";
  const abs = Math.abs(Math.round(seconds / 60));
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/**
 * The capture date as local wall time with its offset (`2024-05-01T12:00:00.000+02:00`), or the
 * UTC instant (`…Z`) when the offset is unknown.
 *
 * @example
 * ```ts
 * localIso({ utc: "2024-05-01T10:00:00.000Z", offsetSeconds: 7200 }); // "2024-05-01T12:00:00.000+02:00"
 * ```
 */
export function localIso(date: CaptureDate): string {
  if (date.offsetSeconds === undefined) return new Date(date.utc).toISOString();
  const local = new Date(Date.parse(date.utc) + date.offsetSeconds * 1000).toISOString();
  return `${local.slice(0, -1)}${offsetText(date.offsetSeconds)}`;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** XMP's GPS form: `48,51.502200N`. */
function gps(value: number, positive: string, negative: string): string {
  const abs = Math.abs(value);
  const degrees = Math.floor(abs);
  return `${degrees},${((abs - degrees) * 60).toFixed(6)}${value < 0 ? negative : positive}`;
}

/**
 * An XMP sidecar with what Photos knows and the file may not say, or undefined when there is
 * nothing to add. `tags` are hierarchical with `/` (Immich makes parent tags of them).
 */
export function xmpSidecar(asset: Asset, tags: string[]): string | undefined {
  const lines: string[] = [];
  // Always: a file's EXIF date without an offset is read as UTC by Immich and moves the instant;
  // the sidecar's date wins (with its offset, or as the UTC instant when none is known).
  if (asset.captured) {
    const date = localIso(asset.captured);
    lines.push(`<exif:DateTimeOriginal>${date}</exif:DateTimeOriginal>`);
    lines.push(`<photoshop:DateCreated>${date}</photoshop:DateCreated>`);
  }
  if (asset.title) {
    lines.push(
      `<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${escape(asset.title)}</rdf:li></rdf:Alt></dc:title>`,
    );
  }
  if (asset.caption) {
    lines.push(
      `<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${
        escape(asset.caption)
      }</rdf:li></rdf:Alt></dc:description>`,
    );
    // A camera's blank IFD0 ImageDescription beats dc:description in Immich; this beats both.
    lines.push(`<tiff:ImageDescription>${escape(asset.caption)}</tiff:ImageDescription>`);
  }
  if (asset.location) {
    lines.push(`<exif:GPSLatitude>${gps(asset.location.latitude, "N", "S")}</exif:GPSLatitude>`);
    lines.push(`<exif:GPSLongitude>${gps(asset.location.longitude, "E", "W")}</exif:GPSLongitude>`);
  }
  if (tags.length > 0) {
    const items = tags.map((t) => `<rdf:li>${escape(t)}</rdf:li>`).join("");
    lines.push(`<digiKam:TagsList><rdf:Seq>${items}</rdf:Seq></digiKam:TagsList>`);
  }
  if (lines.length === 0) return undefined;
  return [
    `<?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>`,
    `<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="photos-sync">`,
    `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`,
    `<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"` +
    ` xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"` +
    ` xmlns:digiKam="http://www.digikam.org/ns/1.0/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/">`,
    ...lines,
    `</rdf:Description>`,
    `</rdf:RDF>`,
    `</x:xmpmeta>`,
    `<?xpacket end="w"?>`,
    "",
  ].join("\n");
}
