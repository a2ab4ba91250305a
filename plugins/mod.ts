/**
 * The one explicit list of built-in plugins. Adding a plugin to photos-sync means adding it here;
 * nothing registers itself by being imported.
 * @module
 */
import type { Plugin } from "../core/plugin/types.ts";
import folderDestination from "./destination/folder/mod.ts";
import livePhotoHandler from "./handler/live_photo/mod.ts";
import folderSource from "./source/folder/mod.ts";
import photoKitSource from "./source/photokit/mod.ts";
import photosLibrarySource from "./source/photoslibrary/mod.ts";

export const BUILTIN_PLUGINS: readonly Plugin[] = [
  photoKitSource,
  photosLibrarySource,
  folderSource,
  livePhotoHandler,
  folderDestination,
];

export { writeSampleLibrary } from "./source/photoslibrary/sample_library.ts";
