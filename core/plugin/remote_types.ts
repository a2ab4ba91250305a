/**
 * What a destination tells of what it holds, for the two-way `sync` (`read`, `changes`) and for
 * `archive` (`verify`), and the changes `sync` gives it (`update`). Part of the public contract, re-exported by `types.ts`.
 *
 * @example
 * ```ts
 * import type { HeldFile } from "./remote_types.ts";
 * const held: HeldFile = { sha1: "da39a3ee5e6b4b0d3255bfef95601890afd80709", trashed: false };
 * ```
 * @module
 */
import type { CaptureDate, Location } from "../model/asset.ts";
import type { HiddenVisibility } from "../model/policy.ts";
import type { SideFields } from "../model/synced.ts";

/** What a destination holds of one stored file (capability `verify`), read from the destination itself. */
export interface HeldFile {
  /** Lower-case hex SHA-1 of the bytes it holds. */
  sha1: string;
  /** In its trash. */
  trashed: boolean;
  /** The remote id of the motion video linked to this still, if any. */
  motionId?: string | null;
  /** The remote ids of the stack this file is in (itself included), if any. */
  stack?: string[] | null;
}

/** What a destination holds of one asset now (capability `read`). */
export interface RemoteAsset {
  /**
   * The fields it keeps, in the synced shape (a field it does not keep is absent, so it is never
   * taken for a change); albums by the source's album ids, as `albums()` was told them.
   */
  fields: SideFields;
  /** In the destination's trash. */
  trashed: boolean;
  /** When it last changed there (ISO), for `--prefer newer`. */
  updatedAt?: string;
}

/** Which assets changed at the destination since a checkpoint (capability `changes`). */
export interface RemoteChanges {
  /** Remote ids (of any member of a group) changed, trashed or deleted since the checkpoint. */
  changed: string[];
  /** Where to start next time; opaque to the host. */
  checkpoint: string;
}

/** Metadata `sync` pushes when it changed in the source since the last import or sync. */
export interface AssetChanges {
  favorite?: boolean;
  hidden?: boolean;
  /** With `hidden: true`: how the run's policy shows a hidden asset (`--hidden-visibility`). */
  visibility?: HiddenVisibility;
  captured?: CaptureDate;
  /** Null clears the value. A destination sent a field it does not keep (see `read`) ignores it. */
  title?: string | null;
  caption?: string | null;
  keywords?: string[];
  location?: Location | null;
  rating?: number | null;
}
