/**
 * What Immich holds of stored files, for `archive`: each asset's checksum (Immich answers it as
 * base64 SHA-1, transcript 10), whether it is trashed, the motion video linked to a still and the
 * members of its stack. One request per file, in proportion to what is archived.
 * @module
 */
import type { HeldFile } from "../../../core/plugin/types.ts";
import type { ImmichClient } from "./_client.ts";

interface AssetJson {
  checksum: string;
  isTrashed?: boolean;
  livePhotoVideoId?: string | null;
  stack?: { id: string } | null;
}

export async function verifyHeld(
  client: ImmichClient,
  remoteIds: string[],
): Promise<Record<string, HeldFile | null>> {
  const out: Record<string, HeldFile | null> = {};
  const stacks = new Map<string, string[]>();
  for (const id of new Set(remoteIds)) {
    const answer = await client.request<AssetJson>("GET", `/assets/${id}`, undefined, {
      what: `checking what Immich holds of ${id}`,
      accept: [400, 404],
    });
    if (answer.status !== 200) {
      out[id] = null;
      continue;
    }
    const a = answer.body;
    out[id] = {
      sha1: hexOf(a.checksum),
      trashed: a.isTrashed === true,
      motionId: a.livePhotoVideoId ?? null,
      stack: a.stack ? await stackOf(client, a.stack.id, stacks) : null,
    };
  }
  return out;
}

async function stackOf(
  client: ImmichClient,
  stackId: string,
  seen: Map<string, string[]>,
): Promise<string[]> {
  let members = seen.get(stackId);
  if (!members) {
    const stack = await client.json<{ assets: { id: string }[] }>("GET", `/stacks/${stackId}`, undefined, {
      what: `reading stack ${stackId}`,
    });
    members = stack.assets.map((a) => a.id);
    seen.set(stackId, members);
  }
  return members;
}

/** Immich's base64 SHA-1 as the tracker's lower-case hex (a hex one passes through). */
export function hexOf(checksum: string): string {
  if (/^[0-9a-f]{40}$/i.test(checksum)) return checksum.toLowerCase();
  const bytes = Uint8Array.from(atob(checksum), (c) => c.charCodeAt(0));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}
