/**
 * Test helpers private to this folder: an emulated Immich server that keeps the bytes, filled
 * through `destination.immich` the way an import fills it (a Live Photo in an album with keywords
 * and a person, a hidden photo, a video, trashed assets) plus a photo another device uploaded.
 * @module
 */
import { optionValues } from "../../../core/plugin/options.ts";
import { testContext } from "../../../core/plugin/testing/mod.ts";
import { type RunningEmulator, startEmulator } from "../../../tests/immich_emulator/mod.ts";
import {
  asset,
  file,
  group,
  LIVE,
  open as openDestination,
  refOf,
  remote,
  uploadElsewhere,
} from "../../destination/immich/_test_fixtures.ts";
import immichSource from "./mod.ts";
import type { ImmichSource } from "./_session.ts";

export type Ctx = Awaited<ReturnType<typeof testContext>>;

/** The Immich ids of what {@link filledServer} put there. */
export interface Filled {
  live: string;
  motion: string;
  hidden: string;
  video: string;
  elsewhere: string;
  trashed: string;
  /** The video of a Live Photo whose still is in the trash: Immich leaves such a video alone. */
  orphanMotion: string;
  albumId: string;
}

export interface FilledServer extends AsyncDisposable {
  server: RunningEmulator;
  ctx: Ctx;
  ids: Filled;
}

export async function filledServer(version: string): Promise<FilledServer> {
  const store = await Deno.makeTempDir({ prefix: "immich-store-" });
  const server = await startEmulator({ version, storeDir: store });
  const ctx = await testContext();
  const destination = await openDestination(server, ctx);
  const put = async (...args: Parameters<typeof asset>) => {
    const extra = args[2]?.subtypes?.includes("live") ? LIVE : [];
    return (await destination.put(await group(ctx, asset(...args), extra))).resources;
  };
  const live = await put("LIVE", "IMG_0001.HEIC", {
    favorite: true,
    caption: "On the bridge",
    keywords: ["Trips/Paris", "Bridges"],
    albums: [{ id: "PARIS", title: "Paris", folders: ["Trips"] }],
    subtypes: ["live"],
  });
  const ids: Omit<Filled, "albumId"> = {
    live: refOf(live, "original").remoteId,
    motion: refOf(live, "motion").remoteId,
    hidden: refOf(await put("HIDDEN", "IMG_0002.JPG", { hidden: true }), "original").remoteId,
    video: refOf(await put("VIDEO", "clip.mov", { kind: "video" }), "original").remoteId,
    elsewhere: await uploadElsewhere(server, await file(ctx, "phone.jpg"), "phone.jpg"),
    trashed: refOf(await put("TRASHED", "IMG_0003.JPG"), "original").remoteId,
    orphanMotion: "",
  };
  const gone = await put("GONE", "IMG_0004.HEIC", { subtypes: ["live"] });
  ids.orphanMotion = refOf(gone, "motion").remoteId;
  await destination.remove([ids.trashed, refOf(gone, "original").remoteId]);
  // A media-type tag of `--immich-tags all`: not a keyword.
  const state = server.emulator.state;
  remote(server, ids.live).tagIds.add(state.upsertTag(state.admin.id, "Photos/live").id);
  const still = remote(server, ids.live);
  still.exif.exifImageWidth = 2000;
  still.exif.exifImageHeight = 1000;
  await destination.people(ids.live, [{ name: "Maria", face: { x: 0.25, y: 0.5, width: 0.1, height: 0.2 } }]);
  await destination.close();
  const albumId = [...state.albums.values()][0].id;
  return {
    server,
    ctx,
    ids: { ...ids, albumId },
    async [Symbol.asyncDispose]() {
      await ctx[Symbol.asyncDispose]();
      await server[Symbol.asyncDispose]();
      await Deno.remove(store, { recursive: true });
    },
  };
}

/** The options the host would hand `source.immich` for this server. */
export function sourceOptions(server: RunningEmulator, more: { ids?: string[]; timeout?: number } = {}) {
  return optionValues(immichSource.id, immichSource.options, {
    url: server.url,
    "api-key": server.apiKey,
    timeout: 5,
    ...more,
  });
}

export async function openSource(
  t: FilledServer,
  more: { ids?: string[]; timeout?: number } = {},
): Promise<ImmichSource> {
  return await immichSource.open(sourceOptions(t.server, more), t.ctx);
}
