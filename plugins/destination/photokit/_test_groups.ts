/**
 * Test helpers of this folder: exported groups made of real files with the keys and roles the
 * built-in handlers plan, and a PhotoKit destination opened over the C twin of the helper.
 * @module
 */
import { join } from "node:path";
import type { Asset, ResourceRole } from "../../../core/model/asset.ts";
import { hashFile } from "../../../core/model/hash.ts";
import {
  type ExportedGroup,
  PlanBuilder,
  type PlanBuilderOptions,
  type RelationType,
} from "../../../core/model/plan.ts";
import { assetFixture, type TestContext, testContext } from "../../../core/plugin/testing/mod.ts";
import type { AssetDestinationSession } from "../../../core/plugin/types.ts";
import { type Fixture, type FixtureLibrary, fixtureLibrary } from "../../source/photokit/_fixture_library.ts";
import photokit from "./mod.ts";

/** One file of a group: its plan key, role, file name and how it relates to the original. */
export interface Part {
  key: string;
  role: ResourceRole;
  name: string;
  relation?: RelationType;
  /** The key the relation points to (default: the original's). */
  to?: string;
}

/** A group of real files (content unique per call) planned as `parts` say, the first the original. */
export async function groupOf(
  dir: string,
  asset: Partial<Asset>,
  parts: Part[],
  options: PlanBuilderOptions & { primary?: string } = {},
): Promise<ExportedGroup> {
  const folder = await Deno.makeTempDir({ dir, prefix: "group-" });
  const resources = await Promise.all(parts.map(async (part) => {
    const path = join(folder, part.name);
    await Deno.writeTextFile(path, `${part.key} of ${part.name} ${crypto.randomUUID()}`);
    return { role: part.role, filename: part.name, path, present: true };
  }));
  const full = assetFixture({ filename: parts[0].name, ...asset, resources });
  const builder = new PlanBuilder(full, options);
  parts.forEach((part, i) => {
    if (i === 0) return;
    builder.add(part.key, resources[i], { name: part.name });
    if (part.relation) builder.relate(part.relation, part.key, part.to ?? parts[0].key);
  });
  if (options.primary) builder.setPrimary(options.primary);
  const plan = builder.build();
  const files = await Promise.all(plan.resources.map(async (r) => ({
    key: r.key,
    name: r.name,
    path: r.resource.path!,
    ...await hashFile(r.resource.path!),
  })));
  return { asset: full, plan, files };
}

export const LIVE: Part[] = [
  { key: "original", role: "original", name: "IMG_0001.HEIC" },
  { key: "motion", role: "motion", name: "IMG_0001.MOV", relation: "motion_of" },
];

/** An album the twin's library has before any put. */
export const LIBRARY_ALBUM = {
  localIdentifier: "A1B00000-0000-4000-8000-000000000001/L0/040",
  title: "Trip",
  folders: ["2025"],
  kind: "regular" as const,
};

export interface Opened {
  session: AssetDestinationSession;
  lib: FixtureLibrary;
  ctx: TestContext;
}

/** The destination over a fresh twin library (with {@link LIBRARY_ALBUM}); closed after `body`. */
export async function withDestination(
  extra: Partial<Fixture>,
  body: (opened: Opened) => Promise<void>,
): Promise<void> {
  await using ctx = await testContext();
  await using lib = await fixtureLibrary({ albums: [LIBRARY_ALBUM], ...extra, assets: [] });
  const session = await photokit.assets.open({ lib: lib.path }, ctx);
  try {
    await body({ session, lib, ctx });
  } finally {
    await session.close();
  }
}
