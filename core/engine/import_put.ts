/**
 * The put, record and stack stages of the import: the destination takes an exported group, the
 * tracker records what it confirmed, and members of a burst are stacked as they arrive.
 * @module
 */
import type { Asset, PersonInAsset } from "../model/asset.ts";
import type { ExportedGroup, Plan } from "../model/plan.ts";
import { errorKind, messageOf, PluginError } from "../plugin/errors.ts";
import type { RemoteRef } from "../plugin/types.ts";
import { fieldsRead, keptOnly } from "../model/synced.ts";
import { SyncStore } from "../tracker/sync_state.ts";
import type { ImportRun } from "./import_types.ts";

/** Puts the group, records what the destination confirmed, then stacks it with its burst. */
export async function putAndRecord(run: ImportRun, group: ExportedGroup): Promise<RemoteRef[]> {
  const { options } = run;
  const result = await options.destination.put(group);
  checkPutResult(options.destinationId, group.plan, result.resources);
  options.tracker.recordImported(run.ids, group, result.resources);
  // Agreed is only what reached the destination: what it does not keep (Immich's keywords with tags
  // off) was never sent, and people left out are sent by the next sync.
  const fields = keptOnly(
    fieldsRead(group.asset, options.sourceFields?.read),
    options.destination.fields?.keep,
  );
  if (!(await namePeople(run, group, result.resources, fields.people))) delete fields.people;
  new SyncStore(options.tracker).recordSent(run.ids, group.asset.id, fields);
  const stackGroup = group.plan.stackGroup;
  if (stackGroup) await stackMembers(run, stackGroup.id, group.asset);
  return result.resources;
}

/**
 * Names the asset's people on its primary at the destination: the put carries every other field,
 * people go through their own calls. False when they wait for the next sync: the call failed, or
 * the destination refused it earlier in the run (a key made for imports may lack the people
 * permissions; the import goes on, and `sync` says what the key lacks).
 */
async function namePeople(
  run: ImportRun,
  group: ExportedGroup,
  refs: RemoteRef[],
  people: PersonInAsset[] | undefined,
): Promise<boolean> {
  const { destination } = run.options;
  if (!people?.length || !destination.people) return true;
  const primary = refs.find((r) => r.key === group.plan.primary)?.remoteId;
  if (!primary || run.peopleRefused) return false;
  try {
    await destination.people(primary, people);
    return true;
  } catch (e) {
    if (errorKind(e) === "fatal") {
      // Said once: the other assets in flight were refused the same way.
      if (run.peopleRefused) return false;
      run.peopleRefused = true;
    }
    run.emit({
      type: "warning",
      assetId: group.asset.id,
      message: `${group.asset.filename} is imported, but naming its people failed (the next sync tries ` +
        `again${run.peopleRefused ? "; no other asset of this run tries" : ""}): ${messageOf(e)}`,
    });
    return false;
  }
}

function checkPutResult(destinationId: string, plan: Plan, refs: RemoteRef[]): void {
  const missing = plan.resources.filter((r) => !refs.some((ref) => ref.key === r.key)).map((r) => r.key);
  if (missing.length > 0) {
    throw new PluginError(destinationId, "put", new Error(`returned no remote id for ${missing.join(", ")}`));
  }
}

/**
 * Stacks the members of a group that spans assets (a burst) once this asset is recorded: every
 * member imported so far, under the group's primary. Called again as each member arrives, so
 * the destination's `stack` must accept a member list that grows. A member stays pending in the
 * tracker until a stack that holds it is confirmed, so what a killed run or a failed call left
 * unstacked is stacked by the next run ({@link finishStacks}).
 */
async function stackMembers(run: ImportRun, groupId: string, asset?: Asset): Promise<void> {
  const { options, ids } = run;
  // The session is a view of the declared capabilities: `stack` exists only if it was declared.
  if (!options.destination.stack) return;
  const members = options.tracker.stackMembers(ids, groupId);
  const top = members.find((m) => m.primary);
  const others = members.filter((m) => m !== top).map((m) => m.remoteId);
  const done = () => options.tracker.stacked(ids, groupId, members.map((m) => m.assetId));
  // Nothing to stack yet: whichever member comes next stacks everyone recorded by then.
  if (!top || others.length === 0) return done();
  const assetId = asset?.id ?? top.assetId;
  try {
    await options.destination.stack!(top.remoteId, others);
    done();
  } catch (e) {
    if (errorKind(e) === "fatal") throw e;
    const what = asset ? `${asset.filename} is imported, but stacking it` : `stacking the imported members`;
    run.emit({
      type: "warning",
      assetId,
      message: `${what} with ${groupId} failed (the next run tries again): ${messageOf(e)}`,
    });
  }
}

/** Stacks left pending by an earlier run that was killed or whose stack call failed. */
export async function finishStacks(run: ImportRun): Promise<void> {
  const { options } = run;
  if (options.dryRun || !options.destination.stack) return;
  for (const groupId of options.tracker.pendingStacks(run.ids)) {
    if (run.signal.aborted) return;
    await stackMembers(run, groupId);
  }
}
