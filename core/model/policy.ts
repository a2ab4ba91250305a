/**
 * The run-wide choices every handler honours the same way. The host resolves them once (flags,
 * environment, `.env`) and hands them to handlers as the read-only `plan.policy`; the parts that
 * concern every asset alike (which version of an edit travels, how a hidden asset is shown) are
 * applied by the {@link PlanBuilder} itself, so no handler can apply them differently.
 *
 * @example
 * ```ts
 * const plan = new PlanBuilder(asset, { policy: { edited: "originals" } });
 * plan.policy.bursts; // "picked" (the default)
 * ```
 * @module
 */

/** Which versions of an edited asset travel. */
export const EDIT_POLICIES = ["both", "originals", "edited"] as const;
export type EditPolicy = typeof EDIT_POLICIES[number];

/** Which frames of a burst travel: the ones shown in the library, or every frame. */
export const BURST_POLICIES = ["picked", "all"] as const;
export type BurstPolicy = typeof BURST_POLICIES[number];

/**
 * How a destination shows an asset that is hidden in Photos. Immich: `archive` is out of the
 * timeline but browsable, `locked` the PIN-protected locked folder (closest to Photos' locked
 * Hidden album, but an API key cannot look into it, so cleanup cannot tell such an asset from a
 * deleted one), `hidden` is never shown in any view, `timeline` ignores the flag.
 */
export const HIDDEN_VISIBILITIES = ["archive", "locked", "hidden", "timeline"] as const;
export type HiddenVisibility = typeof HIDDEN_VISIBILITIES[number];

/** What happens to assets of the iCloud Shared Photo Library: tagged on the owner's timeline, or left out. */
export const SHARED_LIBRARY_POLICIES = ["tag", "skip"] as const;
export type SharedLibraryPolicy = typeof SHARED_LIBRARY_POLICIES[number];

export interface PlanPolicy {
  /**
   * `both` (default): the original and the edited version, stacked with the edited one primary;
   * `originals`: only the unedited files; `edited`: only the rendered edit (the original where
   * there is no render).
   */
  edited: EditPolicy;
  /** `picked` (default): unpicked burst frames are skipped (recorded as skipped); `all`: every frame. */
  bursts: BurstPolicy;
  /** Visibility for assets hidden in Photos (default `archive`). */
  hidden: HiddenVisibility;
  /** `tag` (default): Shared Library assets travel tagged with the library and their contributor; `skip`. */
  sharedLibrary: SharedLibraryPolicy;
}

export const DEFAULT_POLICY: Readonly<PlanPolicy> = Object.freeze({
  edited: "both",
  bursts: "picked",
  hidden: "archive",
  sharedLibrary: "tag",
});
