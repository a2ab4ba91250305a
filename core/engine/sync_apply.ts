/**
 * The reconcile stage of `sync`: for each asset either side changed, what the destination holds now
 * is read, the three-way reconcile decides field by field (`reconcile.ts`), and the writes go out:
 * to every member of the group where the field belongs to all of them (dates, place, caption,
 * title, hidden), to the primary otherwise (favorite, keywords, rating, albums, people); into
 * Photos when the source can write, else kept waiting for one that can. The agreed values are
 * recorded only after the writes succeeded, so a run stopped half-way redoes the asset next time.
 * @module
 */
import type { Asset } from "../model/asset.ts";
import { fieldsRead, GROUP_FIELDS, keptOnly, type SideFields, type SyncedField } from "../model/synced.ts";
import { DEFAULT_POLICY } from "../model/policy.ts";
import { errorKind, messageOf } from "../plugin/errors.ts";
import type { AssetChanges, RemoteAsset } from "../plugin/types.ts";
import { reconcile } from "./reconcile.ts";
import { agreedOf, countMove, keptBy, type SyncRun } from "./sync_types.ts";

/** Fields Photos can be told by some source (PhotoKit); a rating or people never go into Photos. */
const WRITABLE_INTO_PHOTOS: ReadonlySet<SyncedField> = new Set([
  "favorite",
  "hidden",
  "title",
  "caption",
  "keywords",
  "location",
  "captured",
  "albums",
]);

/**
 * Reconciles the assets in batches: one `read` per batch, in proportion to what changed. `stamps`:
 * each asset's listing stamp, stored with its agreed values when Photos' side then matches them.
 */
export async function reconcileAssets(
  run: SyncRun,
  candidates: Asset[],
  stamps: Map<string, number>,
): Promise<void> {
  const { options } = run;
  for (let i = 0; i < candidates.length; i += 100) {
    if (options.signal?.aborted) return; // stopping: no new asset starts
    const batch = candidates.slice(i, i + 100);
    const primaries = new Map<string, string>();
    for (const asset of batch) {
      const remoteId = options.tracker.primaryRemoteId(run.ids, asset.id);
      if (remoteId) primaries.set(asset.id, remoteId);
    }
    const held = options.destination.read ? await options.destination.read([...primaries.values()]) : {};
    for (const asset of batch) {
      const remoteId = primaries.get(asset.id);
      if (!remoteId) continue;
      if (options.signal?.aborted) return;
      const now = options.destination.read ? held[remoteId] ?? null : undefined;
      await reconcileOne(run, { asset, remoteId, stamp: stamps.get(asset.id) }, now);
    }
  }
}

/**
 * The fields of an asset as the source reads them, of those the destination keeps, with what waits
 * to be written into Photos laid over them: a value decided for Photos is Photos' value, or the
 * next sync would send the stale one back and revert the change it came from.
 */
export function photosFields(run: SyncRun, asset: Asset): SideFields {
  const read = keptOnly(fieldsRead(asset, run.options.sourceFields?.read), keptBy(run));
  const waiting = run.pending.get(asset.id);
  if (!waiting) return read;
  return { ...read, ...Object.fromEntries(Object.entries(waiting).filter(([f]) => f in read)) };
}

async function reconcileOne(
  run: SyncRun,
  listed: { asset: Asset; remoteId: string; stamp?: number },
  held: RemoteAsset | null | undefined,
): Promise<void> {
  const { asset, remoteId } = listed;
  if (held === null || held?.trashed) {
    run.deletedRemotely.push(asset.id);
    return;
  }
  // People travel from Photos only: no source can name people in Photos. A field the destination
  // does not keep is not its to say, whatever its read returns.
  const { people: _people, ...remote } = keptOnly(held?.fields ?? {}, keptBy(run));
  const result = reconcile({
    base: agreedOf(run, asset.id),
    photos: photosFields(run, asset),
    remote: held ? remote : undefined,
    prefer: run.options.prefer ?? "ask",
    photosIsNewer: asset.modified && held?.updatedAt ? asset.modified > held.updatedAt : undefined,
  });
  countMove(run.summary.toRemote, result.toRemote);
  countMove(run.summary.toPhotos, result.toPhotos);
  if (result.conflicts.length > 0) run.summary.conflicts++;
  if (Object.keys(result.toRemote).length > 0) run.summary.updated++;
  const intoPhotos = splitForPhotos(run, result.toPhotos);
  const queues = Object.keys(intoPhotos.later).length > 0;
  if (run.options.dryRun) {
    if (queues) run.summary.queuedIntoPhotos++;
    return;
  }
  try {
    await pushToDestination(run, asset, remoteId, result.toRemote);
    await writeIntoPhotos(run, asset, intoPhotos);
    if (queues) run.summary.queuedIntoPhotos++;
    // Photos holds the agreed values only when nothing was left in conflict or for Photos to take.
    const settled = result.conflicts.length === 0 && Object.keys(result.toPhotos).length === 0 &&
      !run.pending.has(asset.id);
    run.store.recordAgreed(run.ids, asset.id, result.agreed, settled ? listed.stamp ?? null : null);
    run.store.replaceConflicts(run.ids, asset.id, result.conflicts);
    run.store.noteSynced(run.ids, asset);
  } catch (e) {
    if (errorKind(e) === "fatal" || errorKind(e) === "config") throw e;
    run.clean = false;
    run.summary.updated -= Object.keys(result.toRemote).length > 0 ? 1 : 0;
    run.summary.updateFailed++;
    run.options.onEvent?.({
      type: "asset",
      assetId: asset.id,
      filename: asset.filename,
      outcome: "failed",
      kind: errorKind(e),
      error: `syncing metadata: ${messageOf(e)}`,
    });
  }
}

/** Sends the fields to the destination: group fields to every member, the rest to the primary. */
async function pushToDestination(
  run: SyncRun,
  asset: Asset,
  primary: string,
  fields: SideFields,
): Promise<void> {
  const { destination } = run.options;
  const { albums, people, ...rest } = fields;
  const changes = changesOf(run, rest);
  const group = Object.fromEntries(Object.entries(changes).filter(([f]) => isGroupChange(f)));
  let unsupported = false;
  if (Object.keys(changes).length > 0 && !destination.update) unsupported = true;
  if (destination.update && Object.keys(changes).length > 0) {
    const members = run.store.resources(run.ids, asset.id).map((r) => r.remoteId);
    for (const id of new Set([primary, ...members])) {
      const mine = id === primary ? changes : group;
      if (Object.keys(mine).length > 0) await destination.update(id, mine);
    }
  }
  if (albums !== undefined) {
    if (destination.albums) {
      await destination.albums(
        primary,
        asset.albums.filter((a) => albums.includes(a.id)),
      );
    } else unsupported = true;
  }
  if (people !== undefined) {
    if (destination.people) await destination.people(primary, people);
    else unsupported = true;
  }
  if (unsupported) run.summary.unsupported++;
}

/** `hidden` and `visibility` go together; the other group fields are the ones of {@link GROUP_FIELDS}. */
function isGroupChange(field: string): boolean {
  return field === "visibility" || GROUP_FIELDS.has(field as SyncedField);
}

/** The synced fields as the destination's `update` takes them. */
function changesOf(run: SyncRun, fields: SideFields): AssetChanges {
  const changes: AssetChanges = {};
  if (fields.favorite !== undefined) changes.favorite = fields.favorite;
  if (fields.hidden !== undefined) {
    changes.hidden = fields.hidden;
    if (fields.hidden) changes.visibility = run.options.policy?.hidden ?? DEFAULT_POLICY.hidden;
  }
  if (fields.captured) {
    const { utc, offsetSeconds } = fields.captured;
    changes.captured = offsetSeconds === null ? { utc } : { utc, offsetSeconds };
  }
  for (const f of ["title", "caption", "keywords", "location", "rating"] as const) {
    if (fields[f] !== undefined) (changes as Record<string, unknown>)[f] = fields[f];
  }
  return changes;
}

/** Fields for Photos: those the source writes now, and those that wait for a source that can. */
interface IntoPhotos {
  now: Omit<SideFields, "people">;
  later: Omit<SideFields, "people">;
}

function splitForPhotos(run: SyncRun, fields: SideFields): IntoPhotos {
  const { people: _people, ...rest } = fields;
  const wanted = Object.entries(rest).filter(([f]) => WRITABLE_INTO_PHOTOS.has(f as SyncedField));
  const writable = new Set(run.options.sourceFields?.write ?? []);
  return {
    now: Object.fromEntries(wanted.filter(([f]) => writable.has(f as SyncedField))),
    later: Object.fromEntries(wanted.filter(([f]) => !writable.has(f as SyncedField))),
  };
}

/** Writes the fields into Photos, or keeps them waiting for a source that can write them. */
async function writeIntoPhotos(run: SyncRun, asset: Asset, { now, later }: IntoPhotos): Promise<void> {
  const { source } = run.options;
  if (source.write && Object.keys(now).length > 0) await source.write(asset.id, now);
  if (Object.keys(later).length > 0) {
    run.store.queueWrite(run.ids.source, asset.id, later);
    run.pending.set(asset.id, { ...run.pending.get(asset.id), ...later });
  }
}
