/**
 * The three-way reconcile of one asset, field by field: what both sides last agreed on (the base),
 * what Photos holds now and what the destination holds now. A field changed on one side goes to
 * the other; changed on both to different values, it is a conflict, settled by the policy or kept
 * for `review --resolve`. A side that did not change a field never sends it, so a stale value can
 * never revert a newer one.
 *
 * @example
 * ```ts
 * import { reconcile } from "./reconcile.ts";
 * import { fieldsOf } from "../model/synced.ts";
 * import { assetFixture } from "../plugin/testing/fixtures.ts";
 *
 * const base = fieldsOf(assetFixture({}));
 * const photos = { ...base, favorite: true };
 * const remote = { ...base, caption: "from Immich" };
 * const r = reconcile({ base, photos, remote, prefer: "ask" });
 * // r.toRemote: { favorite: true }; r.toPhotos: { caption: "from Immich" }; r.conflicts: []
 * ```
 * @module
 */
import {
  sameValue,
  type SideFields,
  SYNCED_FIELDS,
  type SyncedField,
  type SyncedFields,
} from "../model/synced.ts";

/** How a field changed on both sides to different values is settled; `ask` keeps it for `review --resolve`. */
export type Prefer = "photos" | "immich" | "newer" | "ask";

export const PREFER_CHOICES: readonly Prefer[] = ["photos", "immich", "newer", "ask"];

export interface Conflict {
  field: SyncedField;
  /** The value both sides last agreed on (null: none recorded). */
  base: unknown;
  photos: unknown;
  remote: unknown;
}

export interface ReconcileInput {
  /** What both sides last agreed on; undefined before the first sync of the asset. */
  base?: Partial<SyncedFields>;
  /** What Photos holds now: the fields the source reads (one it does not read is never taken for a change). */
  photos: SideFields;
  /** What the destination holds now, only the fields it keeps; undefined: it could not say. */
  remote?: SideFields;
  prefer: Prefer;
  /** For `newer`: whether Photos' change is the later one (its modification date against the remote's). */
  photosIsNewer?: boolean;
}

export interface Reconciled {
  /** Fields to write to the destination. */
  toRemote: SideFields;
  /** Fields to write into Photos. */
  toPhotos: SideFields;
  /** Fields changed on both sides to different values, left as they are on both. */
  conflicts: Conflict[];
  /**
   * The new base once the writes are done: the agreed value of every field, and the old base of a
   * field still in conflict (so the next sync sees the conflict again, not a one-sided change).
   */
  agreed: Partial<SyncedFields>;
}

/** Reconciles every field of one asset. Pure: the caller applies the writes and records `agreed`. */
export function reconcile(input: ReconcileInput): Reconciled {
  const out: Reconciled = { toRemote: {}, toPhotos: {}, conflicts: [], agreed: {} };
  for (const field of SYNCED_FIELDS) reconcileField(field, input, out);
  return out;
}

function reconcileField<F extends SyncedField>(field: F, input: ReconcileInput, out: Reconciled): void {
  if (!(field in input.photos)) return unreadInPhotos(field, input, out);
  const photos = input.photos[field] as SyncedFields[F];
  const keptRemotely = input.remote !== undefined && field in input.remote;
  const remote = input.remote?.[field] as SyncedFields[F];
  const hasBase = input.base !== undefined && field in input.base;
  const base = input.base?.[field] as SyncedFields[F];
  const set = (side: "toRemote" | "toPhotos", value: SyncedFields[F]) => {
    (out[side] as Record<string, unknown>)[field] = value;
    (out.agreed as Record<string, unknown>)[field] = value;
  };
  if (!keptRemotely) {
    // A field the destination does not keep (or could not read) only ever travels from Photos.
    if (!hasBase || !sameValue(field, photos, base)) set("toRemote", photos);
    else (out.agreed as Record<string, unknown>)[field] = base;
    return;
  }
  if (sameValue(field, photos, remote)) {
    (out.agreed as Record<string, unknown>)[field] = photos;
    return;
  }
  // No base: the import sent Photos' value, so a different remote value is what the server made of
  // it, not a choice of the user's. Photos' value goes once; from then on the base decides.
  if (!hasBase) return set("toRemote", photos);
  const photosChanged = !sameValue(field, photos, base);
  const remoteChanged = !sameValue(field, remote, base);
  if (photosChanged && !remoteChanged) return set("toRemote", photos);
  if (remoteChanged && !photosChanged) return set("toPhotos", remote);
  settleConflict(field, { base, photos, remote }, input, out, set);
}

/** A field the source does not read: only a change at the destination can move it (into Photos). */
function unreadInPhotos<F extends SyncedField>(field: F, input: ReconcileInput, out: Reconciled): void {
  const agreed = out.agreed as Record<string, unknown>;
  const hasBase = input.base !== undefined && field in input.base;
  const keptRemotely = input.remote !== undefined && field in input.remote;
  if (!keptRemotely) {
    if (hasBase) agreed[field] = input.base![field];
    return;
  }
  const remote = input.remote![field] as SyncedFields[F];
  // Without a base there is nothing to say it changed: it becomes the base, and moves nothing.
  if (hasBase && !sameValue(field, remote, input.base![field] as SyncedFields[F])) {
    (out.toPhotos as Record<string, unknown>)[field] = remote;
  }
  agreed[field] = remote;
}

function settleConflict<F extends SyncedField>(
  field: F,
  values: { base: SyncedFields[F]; photos: SyncedFields[F]; remote: SyncedFields[F] },
  input: ReconcileInput,
  out: Reconciled,
  set: (side: "toRemote" | "toPhotos", value: SyncedFields[F]) => void,
): void {
  const winner = input.prefer === "newer"
    ? (input.photosIsNewer === undefined ? "ask" : input.photosIsNewer ? "photos" : "immich")
    : input.prefer;
  if (winner === "photos") return set("toRemote", values.photos);
  if (winner === "immich") return set("toPhotos", values.remote);
  out.conflicts.push({ field, base: values.base ?? null, photos: values.photos, remote: values.remote });
  (out.agreed as Record<string, unknown>)[field] = values.base;
}
