/**
 * Uniform type identifiers as Photos stores them: `ZINTERNALRESOURCE.ZCOMPACTUTI` is a small
 * integer code from macOS 12 on (a foreign key to table `ZUNIFORMTYPEIDENTIFIER` before), and the
 * files in the bundle carry the type's preferred extension.
 *
 * @example
 * ```ts
 * utiOfCompact(23);                           // "com.apple.quicktime-movie"
 * extensionOf("com.canon.cr2-raw-image");     // "cr2"
 * ```
 * @module
 */

/**
 * Codes seen in real libraries (Test-26.1, Test-Media-Types-15.7.2, Test-Cloud-13.1). A code not
 * listed here yields no UTI rather than a guess.
 */
const COMPACT_UTI: Readonly<Record<number, string>> = {
  1: "public.jpeg",
  3: "public.heic",
  6: "public.png",
  8: "public.tiff",
  9: "com.adobe.raw-image",
  11: "com.canon.cr2-raw-image",
  23: "com.apple.quicktime-movie",
  24: "public.mpeg-4",
  37: "com.apple.photos.aae",
};

/** The UTI of a `ZCOMPACTUTI` code (Photos stores it as text), if the code is known. */
export function utiOfCompact(code: unknown): string | undefined {
  if (code === null || code === undefined || code === "") return undefined;
  return COMPACT_UTI[Number(code)];
}

/** Preferred file extensions, lower case, as Photos names the files it keeps. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  "public.jpeg": "jpeg",
  "public.heic": "heic",
  "public.heif": "heif",
  "public.png": "png",
  "public.tiff": "tiff",
  "com.compuserve.gif": "gif",
  "public.avci": "avci",
  "org.webmproject.webp": "webp",
  "com.adobe.raw-image": "dng",
  "com.canon.cr2-raw-image": "cr2",
  "com.canon.cr3-raw-image": "cr3",
  "com.canon.crw-raw-image": "crw",
  "com.nikon.raw-image": "nef",
  "com.nikon.nrw-raw-image": "nrw",
  "com.sony.arw-raw-image": "arw",
  "com.sony.sr2-raw-image": "sr2",
  "com.fuji.raw-image": "raf",
  "com.olympus.raw-image": "orf",
  "com.olympus.or-raw-image": "orf",
  "com.panasonic.rw2-raw-image": "rw2",
  "com.panasonic.raw-image": "raw",
  "com.pentax.raw-image": "pef",
  "com.leica.rwl-raw-image": "rwl",
  "com.apple.quicktime-movie": "mov",
  "public.mpeg-4": "mp4",
  "com.apple.m4v-video": "m4v",
  "public.avi": "avi",
  "com.apple.photos.aae": "aae",
};

/** The extension Photos gives files of this UTI, if known. */
export function extensionOf(uti: string | undefined): string | undefined {
  return uti === undefined ? undefined : EXTENSIONS[uti];
}

/** Whether the UTI names a camera RAW format (`com.adobe.raw-image` is DNG). */
export function isRawUti(uti: string | undefined): boolean {
  return uti !== undefined && (uti === "com.adobe.raw-image" || uti.endsWith("raw-image"));
}
