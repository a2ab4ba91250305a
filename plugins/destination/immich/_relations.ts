/**
 * The relations between a group's resources once they are in Immich: a still that was already
 * there linked to its motion video, and stacks for `stack` and `render_of` relations.
 * @module
 */
import type { Plan } from "../../../core/model/plan.ts";
import type { RemoteRef } from "../../../core/plugin/types.ts";
import type { ImmichClient } from "./_client.ts";
import { inImmich } from "./_settings.ts";

/**
 * Links stills to their motion videos, except the stills in `linked` (uploaded with the link):
 * Immich ignores `livePhotoVideoId` on the upload of a duplicate.
 */
export async function linkStills(
  client: ImmichClient,
  motionToStill: Map<string, string>,
  refs: Map<string, RemoteRef>,
  linked: Set<string>,
): Promise<void> {
  for (const [motionKey, stillKey] of motionToStill) {
    const still = refs.get(stillKey);
    const motion = refs.get(motionKey);
    if (!still || !motion || linked.has(stillKey)) continue;
    if (!inImmich(still.remoteId) || !inImmich(motion.remoteId)) continue;
    await client.json("PUT", `/assets/${still.remoteId}`, { livePhotoVideoId: motion.remoteId }, {
      what: `linking the motion video ${motion.remoteId} to the still ${still.remoteId}`,
    });
  }
}

export async function stack(client: ImmichClient, primaryId: string, memberIds: string[]): Promise<void> {
  await client.json("POST", "/stacks", { assetIds: [primaryId, ...memberIds] }, {
    what: `stacking ${memberIds.length + 1} assets under ${primaryId}`,
  });
}

/** Stacks from `stack` and `render_of` relations; the stack's primary is listed first. */
export async function stackRelations(
  client: ImmichClient,
  plan: Plan,
  refs: Map<string, RemoteRef>,
): Promise<void> {
  for (const [top, members] of stacksOf(plan)) {
    const ids = [...new Set([top, ...members].map((k) => refs.get(k)?.remoteId))]
      .filter((id): id is string => !!id && inImmich(id));
    if (ids.length < 2) continue;
    const allNew = [top, ...members].every((k) => refs.get(k)?.duplicate === false);
    if (!allNew) {
      const existing = await client.json<{ assets: { id: string }[] }[]>(
        "GET",
        `/stacks?primaryAssetId=${ids[0]}`,
        undefined,
        { what: "looking for an existing stack" },
      );
      if (existing.some((s) => ids.every((id) => s.assets.some((a) => a.id === id)))) continue;
    }
    await stack(client, ids[0], ids.slice(1));
  }
}

/** Resource key on top -> the keys under it: a `stack` member under its `to`, a render under its original unless the render is the primary. */
function stacksOf(plan: Plan): Map<string, string[]> {
  const stacks = new Map<string, string[]>();
  for (const rel of plan.relations) {
    if (rel.type !== "stack" && rel.type !== "render_of") continue;
    const [top, under] = rel.type === "render_of" && rel.from === plan.primary
      ? [rel.from, rel.to]
      : [rel.to, rel.from];
    const members = stacks.get(top) ?? [];
    if (!members.includes(under)) members.push(under);
    stacks.set(top, members);
  }
  return stacks;
}
