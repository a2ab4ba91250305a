/**
 * What every part of a `destination.immich` session shares: the settings made from the options,
 * and the id it records for a file Immich cannot hold.
 * @module
 */
import type { AlbumNaming } from "./_albums.ts";

export interface ImmichSettings {
  url: string;
  apiKey: string;
  albums: AlbumNaming | "off";
  tags: "keywords" | "all" | "off";
  timeoutSeconds: number;
  /** Undefined: auto, paused for a large import when the key may (see `_jobs.ts` ImportPause). */
  pauseJobs?: boolean;
  adminApiKey?: string;
}

export type Visibility = "timeline" | "archive" | "hidden" | "locked";

/** The remote id of a resource Immich cannot hold (an AAE, a plist); the bytes stay local. */
export const UNSUPPORTED_PREFIX = "unsupported:";

/** Whether a remote id names an asset in Immich (not a file kept only locally). */
export const inImmich = (remoteId: string) => !remoteId.startsWith(UNSUPPORTED_PREFIX);
