/**
 * A minimal QuickTime (`.mov`) file for the sample library: `ftyp`, `mdat` and a `moov` holding
 * a movie header and, for a Live Photo's motion video, the QuickTime metadata key
 * `com.apple.quicktime.content.identifier` that pairs it with its still (what Immich and
 * exiftool read).
 *
 * The box layout is valid, but the movie has no tracks, so it is NOT playable: players report
 * an empty movie. Tests only need parseable, unique bytes.
 *
 * @example
 * ```ts
 * const mov = encodeQuickTime({ created: new Date(), durationSeconds: 3, payload: new Uint8Array(16) });
 * ```
 * @module
 */

/** Seconds between 1904-01-01 (the QuickTime epoch) and 1970-01-01. */
const QUICKTIME_EPOCH_OFFSET = 2_082_844_800;
const TIMESCALE = 600;

function box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const size = 8 + parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, size);
  out.set(ascii(type), 4);
  let at = 8;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function u32(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v >>> 0));
  return out;
}

function movieHeader(created: Date, durationSeconds: number): Uint8Array {
  const when = Math.floor(created.getTime() / 1000) + QUICKTIME_EPOCH_OFFSET;
  return box(
    "mvhd",
    u32(0, when, when, TIMESCALE, Math.round(durationSeconds * TIMESCALE)),
    u32(0x00010000), // preferred rate 1.0
    new Uint8Array([0x01, 0x00]), // preferred volume 1.0
    new Uint8Array(10), // reserved
    u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000), // identity matrix
    u32(0, 0, 0, 0, 0, 0), // preview, poster, selection and current times
    u32(1), // next track id
  );
}

/** QuickTime-style `meta` (no version field) with `mdta` keys and UTF-8 values. */
function metadata(entries: Record<string, string>): Uint8Array {
  const names = Object.keys(entries);
  const handler = box("hdlr", u32(0, 0), ascii("mdta"), u32(0, 0, 0), new Uint8Array(1));
  const keys = box(
    "keys",
    u32(0, names.length),
    ...names.map((name) => {
      const key = new TextEncoder().encode(name);
      return new Uint8Array([...u32(8 + key.length), ...ascii("mdta"), ...key]);
    }),
  );
  const items = names.map((name, i) => {
    const value = new TextEncoder().encode(entries[name]);
    const data = box("data", u32(1, 0), value); // type 1 = UTF-8, default locale
    const item = box("____", data);
    new DataView(item.buffer).setUint32(4, i + 1); // item type is the 1-based key index
    return item;
  });
  return box("meta", handler, keys, box("ilst", ...items));
}

/** Options of {@link encodeQuickTime}. */
export interface QuickTimeOptions {
  /** Creation time written to the movie header. */
  created: Date;
  durationSeconds: number;
  /** Bytes stored in `mdat`; make them unique to give each file its own SHA-1. */
  payload: Uint8Array;
  /** Live Photo content identifier (the still's `ZMEDIAGROUPUUID`). */
  contentIdentifier?: string;
}

/**
 * Builds a structurally valid, track-less QuickTime movie.
 *
 * @example
 * ```ts
 * const mov = encodeQuickTime({
 *   created: new Date("2024-06-01T10:00:00Z"), durationSeconds: 2.5,
 *   payload: new TextEncoder().encode("unique"), contentIdentifier: "6B1C…",
 * });
 * ```
 */
export function encodeQuickTime(options: QuickTimeOptions): Uint8Array {
  const moovParts = [movieHeader(options.created, options.durationSeconds)];
  if (options.contentIdentifier) {
    moovParts.push(metadata({ "com.apple.quicktime.content.identifier": options.contentIdentifier }));
  }
  return concat([
    box("ftyp", ascii("qt  "), u32(0), ascii("qt  ")),
    box("mdat", options.payload),
    box("moov", ...moovParts),
  ]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
