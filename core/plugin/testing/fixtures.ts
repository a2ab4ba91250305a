/**
 * Fixtures for plugin tests: assets as a source yields them, and exported groups whose files are
 * real, so a destination under test reads and hashes actual bytes.
 *
 * @example
 * ```ts
 * import { groupFixture } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const live = await groupFixture(dir, { motion: true, asset: { favorite: true } });
 * console.log(live.files.map((f) => f.name)); // ["IMG_….jpg", "IMG_….mov"]
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */
import { join } from "node:path";
import type { Asset, Resource, ResourceRole } from "../../model/asset.ts";
import { hashFile } from "../../model/hash.ts";
import { type ExportedGroup, PlanBuilder, type RelationType } from "../../model/plan.ts";

/**
 * A well-formed photo asset with a capture date and offset, and no files; `overrides` replace
 * fields whole.
 *
 * @example
 * ```ts
 * import { assetFixture } from "./mod.ts";
 * const asset = assetFixture({ favorite: true, keywords: ["harbour"] });
 * console.log(asset.captured?.offsetSeconds); // 7200
 * ```
 */
export function assetFixture(overrides: Partial<Asset> = {}): Asset {
  const id = overrides.id ?? `fixture-${crypto.randomUUID()}`;
  return {
    id,
    kind: "photo",
    filename: `IMG_${id.slice(-8)}.jpg`,
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
    ...overrides,
  };
}

export interface GroupFixtureOptions {
  /** Fields of the asset (see {@link assetFixture}); its `resources` are made from the files. */
  asset?: Partial<Asset>;
  /** Extension of the original and the edit (default `jpg`). */
  extension?: string;
  /** A Live Photo's motion video (`motion`, hidden, `motion_of` the original). */
  motion?: boolean;
  /** A rendered edit (`edited`, `render_of` the original), which becomes the primary. */
  edit?: boolean;
  /** The RAW half of a RAW+JPEG pair (`raw`, stacked under the original). */
  raw?: boolean;
  /** An XMP sidecar (`sidecar_of` the original). */
  sidecar?: boolean;
}

interface Part {
  key: string;
  role: ResourceRole;
  extension: string;
  hidden?: boolean;
  relation?: RelationType;
}

function partsOf(options: GroupFixtureOptions): Part[] {
  const ext = options.extension ?? "jpg";
  const parts: Part[] = [{ key: "original", role: "original", extension: ext }];
  if (options.motion) {
    parts.push({ key: "motion", role: "motion", extension: "mov", hidden: true, relation: "motion_of" });
  }
  if (options.raw) parts.push({ key: "raw", role: "raw", extension: "dng", relation: "stack" });
  if (options.edit) parts.push({ key: "edited", role: "edited", extension: ext, relation: "render_of" });
  if (options.sidecar) {
    parts.push({ key: "sidecar", role: "sidecar", extension: "xmp", hidden: true, relation: "sidecar_of" });
  }
  return parts;
}

/**
 * An exported group whose files exist under `dir` with content unique to this call, hashed as the
 * host hashes them. The plan relates each extra file to the original as the built-in handlers do.
 *
 * @example
 * ```ts
 * import { groupFixture } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const pair = await groupFixture(dir, { raw: true, asset: { caption: "harbour" } });
 * console.log(pair.plan.relations); // [{ type: "stack", from: "raw", to: "original" }]
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function groupFixture(dir: string, overrides: GroupFixtureOptions = {}): Promise<ExportedGroup> {
  const base = assetFixture(overrides.asset);
  const stem = base.filename.replace(/\.[^.]*$/, "");
  const folder = await Deno.makeTempDir({ dir, prefix: "fixture-" });
  const made: { part: Part; resource: Resource }[] = [];
  for (const part of partsOf(overrides)) {
    const filename = part.key === "original" && overrides.asset?.filename
      ? overrides.asset.filename
      : `${stem}${part.key === "edited" ? "_edited" : ""}.${part.extension}`;
    const path = join(folder, `${part.key}-${filename}`);
    await Deno.writeTextFile(path, `photos-sync fixture ${base.id} ${part.key} ${crypto.randomUUID()}`);
    made.push({ part, resource: { role: part.role, filename, path, present: true } });
  }
  const asset: Asset = {
    ...base,
    edited: base.edited || !!overrides.edit,
    resources: made.map((m) => m.resource),
  };
  const builder = new PlanBuilder(asset);
  for (const { part, resource } of made.slice(1)) {
    builder.add(part.key, resource, { hidden: part.hidden });
    builder.relate(part.relation!, part.key, "original");
  }
  const plan = builder.build();
  const byKey = new Map(made.map((m) => [m.part.key, m.resource.path!]));
  const files = await Promise.all(plan.resources.map(async (r) => {
    const path = byKey.get(r.key)!;
    return { key: r.key, name: r.name, path, ...await hashFile(path) };
  }));
  return { asset, plan, files };
}

/**
 * A one-file group whose original is `dir/<tag>.<extension>` with content unique per `tag`
 * (kept for tests written before {@link groupFixture}).
 *
 * @example
 * ```ts
 * import { sampleGroup } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const group = await sampleGroup(dir, "a");
 * console.log(group.files[0].name); // "a.txt"
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function sampleGroup(dir: string, tag: string, extension = "txt"): Promise<ExportedGroup> {
  const name = `${tag}.${extension}`;
  const path = join(dir, name);
  await Deno.writeTextFile(path, `photos-sync conformance ${tag}`);
  const asset = assetFixture({
    id: `conformance-${tag}`,
    filename: name,
    resources: [{ role: "original", filename: name, path, present: true }],
  });
  const plan = new PlanBuilder(asset).build();
  return { asset, plan, files: [{ key: "original", name, path, ...await hashFile(path) }] };
}
