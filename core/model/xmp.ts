/**
 * The XMP sidecar the Photos-import layout writes next to an asset's files (`IMG_0001.xmp`): the
 * metadata Photos' import and other tools read from XMP (capture date with its offset, GPS, title,
 * caption, keywords, favorite as a rating, named people with their face regions), and in a namespace
 * of our own what no import reads (album names, favorite and hidden as such, the asset's id).
 *
 * The folder destination writes these beside the files, and `archive --cold` stores one with each
 * asset's cold bundle (Immich's upload sidecar is its own, shaped for what Immich reads); it reads
 * nothing but the model, so it lives here, below both.
 * @module
 */
import type { Asset, CaptureDate, FaceBox, PersonInAsset } from "./asset.ts";

/** Our namespace: what no importer reads, kept so that nothing Photos knew is lost. */
export const PHOTOS_SYNC_NS = "https://github.com/photos-sync/photos-sync/ns/xmp/1.0/";

/** Text as XML character data or attribute value; characters XML 1.0 forbids are dropped. */
export function escapeXml(text: string): string {
  return text
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** `+02:00` for 7200 seconds. */
function offsetText(seconds: number): string {
  const sign = seconds < 0 ? "-" : "+";
  const minutes = Math.abs(Math.round(seconds / 60));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/**
 * The capture date in XMP's form: the local wall time with its offset
 * (`2024-05-01T12:00:00+02:00`), or the UTC instant (`…Z`) when the offset is unknown; a fraction
 * of a second only when there is one.
 */
export function xmpDate(date: CaptureDate): string {
  const offset = date.offsetSeconds;
  const iso = new Date(Date.parse(date.utc) + (offset ?? 0) * 1000).toISOString().replace(/\.000Z$/, "Z");
  return offset === undefined ? iso : `${iso.slice(0, -1)}${offsetText(offset)}`;
}

/** XMP's GPS coordinate: degrees, decimal minutes and the hemisphere (`48,51.502200N`). */
export function xmpCoordinate(value: number, positive: "N" | "E", negative: "S" | "W"): string {
  const abs = Math.abs(value);
  const degrees = Math.floor(abs);
  return `${degrees},${((abs - degrees) * 60).toFixed(6)}${value < 0 ? negative : positive}`;
}

const element = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`;
const langAlt = (name: string, value: string) =>
  `<${name}><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(value)}</rdf:li></rdf:Alt></${name}>`;
const bag = (name: string, values: string[]) =>
  `<${name}><rdf:Bag>${values.map((v) => `<rdf:li>${escapeXml(v)}</rdf:li>`).join("")}</rdf:Bag></${name}>`;

/** An album as one name with its folders, outermost first: `Trips / 2024 / Paris`. */
export function albumPath(album: { title: string; folders: string[] }): string {
  return [...album.folders, album.title].join(" / ");
}

/** The standard fields, the ones an import reads. */
function standardFields(asset: XmpFacts): string[] {
  const lines: string[] = [];
  if (asset.captured) {
    const date = xmpDate(asset.captured);
    lines.push(element("exif:DateTimeOriginal", date), element("photoshop:DateCreated", date));
  }
  if (asset.location) {
    lines.push(element("exif:GPSLatitude", xmpCoordinate(asset.location.latitude, "N", "S")));
    lines.push(element("exif:GPSLongitude", xmpCoordinate(asset.location.longitude, "E", "W")));
  }
  if (asset.title) lines.push(langAlt("dc:title", asset.title));
  if (asset.caption) lines.push(langAlt("dc:description", asset.caption));
  if (asset.keywords.length > 0) lines.push(bag("dc:subject", asset.keywords));
  // Favorite is five stars (the convention of the tools that have no favorite); else the source's rating.
  const rating = asset.favorite ? 5 : asset.rating;
  if (rating !== undefined) lines.push(element("xmp:Rating", String(rating)));
  const names = [...new Set((asset.people ?? []).map((p) => p.name).filter((n) => n.trim() !== ""))];
  if (names.length > 0) lines.push(bag("Iptc4xmpExt:PersonInImage", names));
  const faces = (asset.people ?? []).filter((p) => p.face && p.name.trim() !== "");
  if (faces.length > 0) lines.push(faceRegions(asset, faces));
  return lines;
}

/** Namespaces the people need, declared only in packets that name people (others keep their text). */
const PEOPLE_NAMESPACES = ` xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"` +
  ` xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"` +
  ` xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#"` +
  ` xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#"`;

/**
 * The faces as regions in the Metadata Working Group's form (the standard one for face boxes in XMP;
 * which tools read them is not verified here): normalised to the image as shown, like Photos' own,
 * but by the face's centre where our box has its corner.
 */
function faceRegions(asset: XmpFacts, people: PersonInAsset[]): string {
  const n = (v: number) => String(Number(v.toFixed(6)));
  const items = people.map(({ name, face }) => {
    const { x, y, width, height } = face!;
    return `<rdf:li rdf:parseType="Resource">${element("mwg-rs:Name", name)}<mwg-rs:Type>Face</mwg-rs:Type>` +
      `<mwg-rs:Area stArea:x="${n(x + width / 2)}" stArea:y="${n(y + height / 2)}" stArea:w="${n(width)}"` +
      ` stArea:h="${n(height)}" stArea:unit="normalized"/></rdf:li>`;
  });
  const dimensions = asset.width && asset.height
    ? `<mwg-rs:AppliedToDimensions stDim:w="${asset.width}" stDim:h="${asset.height}" stDim:unit="pixel"/>`
    : "";
  return `<mwg-rs:Regions rdf:parseType="Resource">${dimensions}` +
    `<mwg-rs:RegionList><rdf:Bag>${items.join("")}</rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>`;
}

/** Ours: album names (no import reads them from XMP), favorite and hidden as such, the asset's id. */
function ownFields(asset: XmpFacts): string[] {
  const lines = [
    element("photos-sync:AssetId", asset.id),
    element("photos-sync:Favorite", asset.favorite ? "True" : "False"),
    element("photos-sync:Hidden", asset.hidden ? "True" : "False"),
  ];
  const albums = asset.albums.filter((a) => !a.shared).map(albumPath);
  if (albums.length > 0) lines.push(bag("photos-sync:Albums", albums));
  return lines;
}

/** A well-formed XMP packet with the asset's metadata, the same text for the same facts. */
export function xmpPacket(asset: XmpFacts): string {
  return [
    `<?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>`,
    `<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="photos-sync">`,
    `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`,
    `<rdf:Description rdf:about=""` +
    ` xmlns:exif="http://ns.adobe.com/exif/1.0/"` +
    ` xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"` +
    ` xmlns:dc="http://purl.org/dc/elements/1.1/"` +
    ` xmlns:xmp="http://ns.adobe.com/xap/1.0/"` +
    ` xmlns:photos-sync="${PHOTOS_SYNC_NS}"` +
    ((asset.people ?? []).some((p) => p.name.trim() !== "") ? PEOPLE_NAMESPACES : "") + ">",
    ...standardFields(asset),
    ...ownFields(asset),
    `</rdf:Description>`,
    `</rdf:RDF>`,
    `</x:xmpmeta>`,
    `<?xpacket end="w"?>`,
    "",
  ].join("\n");
}

/** The asset id an XMP packet of ours names, or undefined for any other file. */
export function xmpAssetId(text: string): string | undefined {
  const found = /<photos-sync:AssetId>([^<]*)<\/photos-sync:AssetId>/.exec(text);
  if (!found || !text.includes(PHOTOS_SYNC_NS)) return undefined;
  return found[1]
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** What an XMP packet of ours carries: the facts {@link xmpPacket} writes, and nothing else of the asset. */
export type XmpFacts = Pick<
  Asset,
  | "id"
  | "favorite"
  | "hidden"
  | "captured"
  | "location"
  | "title"
  | "caption"
  | "keywords"
  | "rating"
  | "people"
  | "width"
  | "height"
  | "albums"
>;

const unescapeXml = (text: string) =>
  text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

/** The text of the first `<name>…</name>` (undefined when absent). */
function inner(text: string, name: string): string | undefined {
  const start = text.indexOf(`<${name}>`);
  if (start < 0) return undefined;
  const end = text.indexOf(`</${name}>`, start);
  return end < 0 ? undefined : text.slice(start + name.length + 2, end);
}

/** The `rdf:li` items of a bag or alternative, unescaped. */
function items(text: string | undefined): string[] {
  if (text === undefined) return [];
  return [...text.matchAll(/<rdf:li(?: xml:lang="x-default")?>([^<]*)<\/rdf:li>/g)].map((m) =>
    unescapeXml(m[1])
  );
}

/** The capture date back from {@link xmpDate}'s form. */
function capturedOf(text: string): CaptureDate | undefined {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return undefined;
  const utc = new Date(ms).toISOString();
  const offset = /([+-])(\d\d):(\d\d)$/.exec(text);
  if (!offset) return { utc };
  const seconds = (Number(offset[2]) * 60 + Number(offset[3])) * 60;
  return { utc, offsetSeconds: offset[1] === "-" ? -seconds : seconds };
}

/** A coordinate back from {@link xmpCoordinate}'s form. */
function coordinateOf(text: string | undefined): number | undefined {
  const found = /^(\d+),(\d+(?:\.\d+)?)([NSEW])$/.exec(text ?? "");
  if (!found) return undefined;
  const value = Number(found[1]) + Number(found[2]) / 60;
  return found[3] === "S" || found[3] === "W" ? -value : value;
}

/** The named faces back from {@link faceRegions} (by their centre there, by their corner here). */
function facesOf(text: string): { name: string; face: FaceBox }[] {
  const faces: { name: string; face: FaceBox }[] = [];
  const number = (attributes: string, name: string) =>
    Number(new RegExp(`${name}="([^"]*)"`).exec(attributes)?.[1] ?? NaN);
  const regions =
    /<mwg-rs:Name>([^<]*)<\/mwg-rs:Name><mwg-rs:Type>Face<\/mwg-rs:Type><mwg-rs:Area ([^>]*)\/>/g;
  for (const [, name, area] of text.matchAll(regions)) {
    const [width, height] = [number(area, "stArea:w"), number(area, "stArea:h")];
    const face = {
      x: number(area, "stArea:x") - width / 2,
      y: number(area, "stArea:y") - height / 2,
      width,
      height,
    };
    if (Object.values(face).every(Number.isFinite)) faces.push({ name: unescapeXml(name), face });
  }
  return faces;
}

/**
 * The facts of an XMP packet of ours, read back so that one field can be changed and the packet
 * written again ({@link xmpPacket} of the result); undefined for any other text. A rating under a
 * favorite is not kept (both are `xmp:Rating`; Photos keeps no rating).
 */
export function xmpFacts(text: string): XmpFacts | undefined {
  const id = xmpAssetId(text);
  if (id === undefined) return undefined;
  const favorite = inner(text, "photos-sync:Favorite") === "True";
  const date = inner(text, "exif:DateTimeOriginal");
  const [latitude, longitude] = [
    coordinateOf(inner(text, "exif:GPSLatitude")),
    coordinateOf(inner(text, "exif:GPSLongitude")),
  ];
  const title = items(inner(text, "dc:title"))[0];
  const caption = items(inner(text, "dc:description"))[0];
  const rating = Number(inner(text, "xmp:Rating"));
  // Faces first, then the names without one: the same packet again (names are written once each).
  const faces: PersonInAsset[] = facesOf(text);
  const named = new Set(faces.map((f) => f.name));
  const people = [
    ...faces,
    ...items(inner(text, "Iptc4xmpExt:PersonInImage")).filter((n) => !named.has(n)).map((name) => ({ name })),
  ];
  const dimensions = /<mwg-rs:AppliedToDimensions stDim:w="(\d+)" stDim:h="(\d+)"/.exec(text);
  return {
    id,
    favorite,
    hidden: inner(text, "photos-sync:Hidden") === "True",
    ...(date !== undefined && capturedOf(date) ? { captured: capturedOf(date) } : {}),
    ...(latitude !== undefined && longitude !== undefined ? { location: { latitude, longitude } } : {}),
    ...(title !== undefined ? { title } : {}),
    ...(caption !== undefined ? { caption } : {}),
    keywords: items(inner(text, "dc:subject")),
    ...(!favorite && Number.isFinite(rating) ? { rating } : {}),
    ...(people.length > 0 ? { people } : {}),
    ...(dimensions ? { width: Number(dimensions[1]), height: Number(dimensions[2]) } : {}),
    albums: items(inner(text, "photos-sync:Albums")).map((path) => ({ id: path, title: path, folders: [] })),
  };
}
