/**
 * A put killed between creating its Photos asset and keeping the asset's id must not create the
 * asset twice when it runs again. Before each create the session keeps a note (the history token of
 * that moment, the original's file name and the creation date it gives); a put that finds such a
 * note looks at the assets Photos' change history says were inserted since, and takes the one made
 * from the same original at the same instant.
 *
 * @example
 * ```ts
 * const id = await findInterrupted(bridge, ctx, ctx.state.get<Pending>(`creating:${sha1}`));
 * if (id) return refs(group, id, true); // created by the run that was cut short
 * ```
 * @module
 */
import type { PluginContext } from "../../../core/plugin/types.ts";
import { bareId } from "../../source/photokit/_asset.ts";
import type { NativeAsset, PhotosBridge } from "../../source/photokit/bridge.ts";

/** What a put notes before it creates an asset. */
export interface Pending {
  /** psb_history's token from just before the create. */
  since: string;
  /** The original file's name, as Photos keeps it. */
  filename: string;
  /** The creation date the create gave, when it gave one (ISO). */
  creationDate?: string;
}

/** The UUID of the asset an interrupted put created, if it did. */
export async function findInterrupted(
  bridge: PhotosBridge,
  ctx: PluginContext,
  pending: Pending | undefined,
): Promise<string | undefined> {
  if (!pending) return undefined;
  const history = await bridge.history(pending.since);
  if (history.all) {
    ctx.log.warn(
      `${pending.filename}: an earlier put was cut short and Photos' history cannot say whether it created ` +
        `the asset; it is created now, so look for a duplicate in Photos`,
    );
    return undefined;
  }
  if (history.assets.inserted.length === 0) return undefined;
  const made = (await bridge.describe(history.assets.inserted)).find((asset) => madeFrom(asset, pending));
  return made && bareId(made.localIdentifier);
}

function madeFrom(asset: NativeAsset, pending: Pending): boolean {
  const original = asset.resources.some((r) =>
    (r.type === "photo" || r.type === "video") && r.filename === pending.filename
  );
  if (!original) return false;
  if (pending.creationDate === undefined) return true;
  return !!asset.creationDate && Date.parse(asset.creationDate) === Date.parse(pending.creationDate);
}
