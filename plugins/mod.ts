/**
 * The one explicit list of built-in plugins. Adding a plugin to photos-sync means adding it here;
 * nothing registers itself by being imported.
 * @module
 */
import type { Plugin } from "../core/plugin/types.ts";
import type { SampleLibraryInfo, SampleLibraryOptions } from "./source/photoslibrary/sample_library.ts";
import b2Destination from "./destination/b2/mod.ts";
import folderDestination from "./destination/folder/mod.ts";
import immichDestination from "./destination/immich/mod.ts";
import glacierDestination from "./destination/glacier/mod.ts";
import photoKitDestination from "./destination/photokit/mod.ts";
import burstHandler from "./handler/burst/mod.ts";
import cinematicHandler from "./handler/cinematic/mod.ts";
import editedHandler from "./handler/edited/mod.ts";
import hdrHandler from "./handler/hdr/mod.ts";
import livePhotoHandler from "./handler/live_photo/mod.ts";
import panoramaHandler from "./handler/panorama/mod.ts";
import portraitHandler from "./handler/portrait/mod.ts";
import rawHandler from "./handler/raw/mod.ts";
import screenRecordingHandler from "./handler/screen_recording/mod.ts";
import screenshotHandler from "./handler/screenshot/mod.ts";
import sharedLibraryHandler from "./handler/shared_library/mod.ts";
import sidecarsHandler from "./handler/sidecars/mod.ts";
import slomoHandler from "./handler/slomo/mod.ts";
import spatialHandler from "./handler/spatial/mod.ts";
import timelapseHandler from "./handler/timelapse/mod.ts";
import folderSource from "./source/folder/mod.ts";
import immichSource from "./source/immich/mod.ts";
import photoKitSource from "./source/photokit/mod.ts";
import photosLibrarySource from "./source/photoslibrary/mod.ts";
import { loadModule } from "../core/lazy.ts";

/** Media-type handlers, in the order they shape a plan (each also declares its `order`). */
export const BUILTIN_HANDLERS = [
  burstHandler,
  livePhotoHandler,
  editedHandler,
  portraitHandler,
  cinematicHandler,
  rawHandler,
  spatialHandler,
  hdrHandler,
  panoramaHandler,
  screenshotHandler,
  sharedLibraryHandler,
  screenRecordingHandler,
  slomoHandler,
  timelapseHandler,
  sidecarsHandler,
] as const;

export const BUILTIN_PLUGINS: readonly Plugin[] = [
  photoKitSource,
  photosLibrarySource,
  folderSource,
  immichSource,
  ...BUILTIN_HANDLERS,
  folderDestination,
  immichDestination,
  b2Destination,
  glacierDestination,
  photoKitDestination,
];

/** Writes the demo's sample library; the generator is loaded only by the command that uses it. */
export async function writeSampleLibrary(
  dir: string,
  options?: SampleLibraryOptions,
): Promise<SampleLibraryInfo> {
  const sample = await loadModule("plugins/source/photoslibrary/sample_library.ts");
  return await sample.writeSampleLibrary(dir, options);
}
