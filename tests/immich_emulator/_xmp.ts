/**
 * What Immich's metadata extraction takes from an XMP sidecar, read the way exiftool reports it:
 * the capture date with its offset, the description, the rating, GPS and the tag list.
 * Regular expressions are enough for the sidecars uploaders write (element or attribute form).
 * @module
 */

export interface XmpFacts {
  /** As written, e.g. `2015-05-06T07:08:09+01:00`. */
  dateTimeOriginal?: string;
  description?: string;
  /** `tiff:ImageDescription`: beats the file's own ImageDescription, which beats `dc:description`. */
  imageDescription?: string;
  rating?: number;
  latitude?: number;
  longitude?: number;
  tags: string[];
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n))).replace(/&amp;/g, "&");
}

/** The text of `<ns:name>…</ns:name>` or the value of `ns:name="…"`, first found. */
function field(xml: string, qname: string): string | undefined {
  const element = new RegExp(`<${qname}(?:\\s[^>]*)?>([\\s\\S]*?)</${qname}>`).exec(xml);
  if (element) return element[1];
  const attribute = new RegExp(`\\s${qname}="([^"]*)"`).exec(xml);
  return attribute ? unescape(attribute[1]) : undefined;
}

function listItems(inner: string | undefined): string[] {
  if (inner === undefined) return [];
  const items = [...inner.matchAll(/<rdf:li(?:\s[^>]*)?>([\s\S]*?)<\/rdf:li>/g)].map((m) =>
    unescape(m[1].trim())
  );
  return items.length > 0 ? items : [unescape(inner.trim())].filter(Boolean);
}

/** `48,51.3084N` (XMP) or `48.8551` -> signed decimal degrees. */
function coordinate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const dms = /^\s*(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?([NSEW])\s*$/i.exec(value);
  if (dms) {
    const deg = Number(dms[1]) + Number(dms[2]) / 60 + (dms[3] ? Number(dms[3]) / 3600 : 0);
    return /[SW]/i.test(dms[4]) ? -deg : deg;
  }
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function readXmp(xml: string): XmpFacts {
  const date = field(xml, "exif:DateTimeOriginal") ?? field(xml, "photoshop:DateCreated") ??
    field(xml, "xmp:CreateDate");
  const description = listItems(field(xml, "dc:description"))[0];
  const rating = field(xml, "xmp:Rating");
  const tags = listItems(field(xml, "digiKam:TagsList"));
  const hierarchical = listItems(field(xml, "lr:hierarchicalSubject")).map((t) => t.replaceAll("|", "/"));
  return {
    dateTimeOriginal: date?.trim(),
    description,
    imageDescription: listItems(field(xml, "tiff:ImageDescription"))[0],
    rating: rating === undefined ? undefined : Number(rating),
    latitude: coordinate(field(xml, "exif:GPSLatitude")),
    longitude: coordinate(field(xml, "exif:GPSLongitude")),
    tags: tags.length > 0 ? tags : hierarchical,
  };
}
