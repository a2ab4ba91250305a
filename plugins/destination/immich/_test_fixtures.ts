/**
 * Test helpers private to this folder: an emulated Immich server to open a session on, real files
 * in a temp dir, and assets with plans shaped as the handlers make them.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { hashFile } from "../../../core/engine/hash.ts";
import type { Asset, Resource, ResourceRole } from "../../../core/model/asset.ts";
import { type ExportedGroup, PlanBuilder } from "../../../core/model/plan.ts";
import { type OptionsOf, optionValues } from "../../../core/plugin/options.ts";
import type { testContext } from "../../../core/plugin/testing/mod.ts";
import type { RunningEmulator } from "../../../tests/immich_emulator/mod.ts";
import immich from "./mod.ts";
import type { ImmichSession } from "./_session.ts";

/** The versions every version-dependent test runs against: the newest API and the oldest recorded. */
export const VERSIONS = ["3.2.2", "1.135.3"];

export type Ctx = Awaited<ReturnType<typeof testContext>>;

export async function file(
  ctx: Ctx,
  name: string,
  content = `${name} ${crypto.randomUUID()}`,
): Promise<string> {
  const dir = join(ctx.tempDir, crypto.randomUUID());
  await Deno.mkdir(dir);
  const path = join(dir, name);
  await Deno.writeTextFile(path, content);
  return path;
}

export function asset(id: string, filename: string, more: Partial<Asset> = {}): Asset {
  return {
    id,
    kind: filename.toLowerCase().endsWith(".mov") ? "video" : "photo",
    filename,
    captured: { utc: "2024-05-01T10:00:00.000Z", offsetSeconds: 7200 },
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [],
    edited: false,
    referenced: false,
    subtypes: [],
    resources: [],
    ...more,
  };
}

export interface Extra {
  key: string;
  role: ResourceRole;
  name: string;
  hidden?: boolean;
  relate?: ["motion_of" | "stack" | "sidecar_of" | "render_of", string, string];
  content?: string;
}

/** An exported group: the original plus `extra` resources, with their relations. */
export async function group(
  ctx: Ctx,
  a: Asset,
  extra: Extra[] = [],
  content?: string,
): Promise<ExportedGroup> {
  const originalPath = await file(ctx, a.filename, content);
  const resources: Resource[] = [{
    role: "original",
    filename: a.filename,
    path: originalPath,
    present: true,
  }];
  const paths = new Map([["original", originalPath]]);
  for (const e of extra) {
    const path = await file(ctx, e.name, e.content);
    paths.set(e.key, path);
    resources.push({ role: e.role, filename: e.name, path, present: true });
  }
  const full = { ...a, resources };
  const plan = new PlanBuilder(full);
  for (const [i, e] of extra.entries()) plan.add(e.key, resources[i + 1], { name: e.name, hidden: e.hidden });
  for (const e of extra) if (e.relate) plan.relate(...e.relate);
  const built = plan.build();
  const files = await Promise.all(built.resources.map(async (r) => ({
    key: r.key,
    name: r.name,
    path: paths.get(r.key)!,
    ...await hashFile(paths.get(r.key)!),
  })));
  return { asset: full, plan: built, files };
}

export const LIVE: Extra[] = [{
  key: "motion",
  role: "motion",
  name: "IMG_0001.MOV",
  hidden: true,
  relate: ["motion_of", "motion", "original"],
}];

/** What the host gives the plugin for these options: each checked, the declared defaults filled in. */
export function settings(given: Partial<OptionsOf<typeof immich.options>>): OptionsOf<typeof immich.options> {
  return optionValues(immich.id, immich.options, given);
}

export async function open(
  server: RunningEmulator,
  ctx: Ctx,
  options: Partial<OptionsOf<typeof immich.options>> = {},
) {
  return await immich.assets.open(
    settings({ url: server.url, "api-key": server.apiKey, timeout: 5, ...options }),
    ctx,
  ) as ImmichSession;
}

/** Uploads bytes the way another client (the mobile app) would, outside photos-sync. */
export async function uploadElsewhere(server: RunningEmulator, path: string, name: string): Promise<string> {
  const form = new FormData();
  if (server.emulator.state.features.deviceIds) {
    form.append("deviceAssetId", name);
    form.append("deviceId", "phone");
  }
  form.append("fileCreatedAt", "2020-01-01T00:00:00.000Z");
  form.append("fileModifiedAt", "2020-01-01T00:00:00.000Z");
  form.append("assetData", new Blob([await Deno.readFile(path)]), name);
  const res = await fetch(`${server.url}/api/assets`, {
    method: "POST",
    headers: { "x-api-key": server.apiKey },
    body: form,
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).id;
}

export const remote = (server: RunningEmulator, id: string) => server.emulator.state.assets.get(id)!;
export const refOf = (refs: { key: string; remoteId: string; duplicate: boolean }[], key: string) =>
  refs.find((r) => r.key === key)!;
