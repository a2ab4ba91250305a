/**
 * File names that fit: most file systems take at most 255 bytes per name (APFS counts 255
 * characters, so a Photos name of 255 characters can be far longer in UTF-8 bytes).
 * @module
 */
import { extName, stemName } from "../../../core/model/path.ts";
import { sha1Hex } from "./_sha1.ts";

const MAX_NAME_BYTES = 255;
/** Room an extension may take before it is cut as well; the same for every file of a group. */
const EXT_ROOM = 16;

const bytes = (s: string) => new TextEncoder().encode(s).length;
const shortHash = (s: string, n: number) => sha1Hex(s).slice(0, n);

/** `s` cut to at most `max` UTF-8 bytes, never inside a character. */
function cutToBytes(s: string, max: number): string {
  let out = "";
  let used = 0;
  for (const ch of s) {
    const n = bytes(ch);
    if (used + n > max) break;
    out += ch;
    used += n;
  }
  return out;
}

/**
 * The name unchanged when it fits; else the stem cut, then `~` and 8 hex digits of the stem's
 * SHA-1 (two long names that share a beginning stay apart), then the extension. Files of one group
 * (`IMG.HEIC`, `IMG.MOV`) share their stem, so they are shortened alike and stay paired.
 */
export function fittingName(name: string): string {
  if (bytes(name) <= MAX_NAME_BYTES) return name;
  let ext = extName(name);
  if (bytes(ext) > EXT_ROOM) ext = "";
  const stem = name.slice(0, name.length - ext.length);
  const mark = `~${shortHash(stem, 8)}`;
  return `${cutToBytes(stem, MAX_NAME_BYTES - EXT_ROOM - mark.length)}${mark}${ext}`;
}

/**
 * The name of the temporary copy of `name`: hidden, and short whatever the name's length, so a
 * name that fits always has a temporary name that fits too (`<name>.partial-…` did not at 239).
 */
export function partialName(name: string): string {
  return `${partialPrefix(name)}${crypto.randomUUID().slice(0, 8)}`;
}

/** What every temporary copy of `name` starts with, so a killed run's leftovers can be found. */
export function partialPrefix(name: string): string {
  return `.partial-${shortHash(name, 12)}-`;
}

/** `IMG_0001.HEIC` with suffix `ABCDEF12` -> `IMG_0001_ABCDEF12.HEIC`. */
export function withSuffix(name: string, suffix: string): string {
  const ext = extName(name);
  return `${stemName(name)}_${suffix}${ext}`;
}

/** The name without its extension, as Photos' import compares names: `IMG_0001.HEIC` -> `IMG_0001`. */
export function stemOf(name: string): string {
  return stemName(name);
}
