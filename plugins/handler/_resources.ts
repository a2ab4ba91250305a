/**
 * The plan keys and file names every built-in handler uses for an asset's resources, so that two
 * handlers that both plan, say, the edited render of a Live Photo add the same key under the same
 * name (the plan keeps one) and the files of one asset sort together at a destination:
 *
 * | key                         | name                     | relation                  |
 * | --------------------------- | ------------------------ | ------------------------- |
 * | `original`                  | `IMG_3582.HEIC`          | (the asset)               |
 * | `motion`                    | `IMG_3582.MOV`           | `motion_of` original      |
 * | `raw`                       | `IMG_1994.CR2`           | `stack` with original     |
 * | `edited`                    | `IMG_3582_edited.HEIC`   | `render_of` original      |
 * | `edited_motion`             | `IMG_3582_edited.MOV`    | `motion_of` edited        |
 * | `adjustment`, `adjustment_2`| `IMG_3582.AAE`           | `sidecar_of` original     |
 * | `adjustment_base`           | `IMG_3932_base.MOV`      | `sidecar_of` original     |
 * | `sidecar`, `sidecar_2`      | `IMG_3582.XMP`           | `sidecar_of` original     |
 *
 * A resource the source lists but that is neither on disk nor in iCloud Photos is not planned; the
 * plan is marked incomplete instead, so the rest of the asset still travels.
 *
 * @example
 * ```ts
 * planEdited(asset, plan);       // the render, if the asset has one on disk
 * planSidecars(asset, plan);     // every adjustment and sidecar
 * ```
 * @module
 */
import { type Asset, obtainable, type Resource, type ResourceRole } from "../../core/model/asset.ts";
import type { PlanBuilder } from "../../core/model/plan.ts";

/**
 * `node:path`'s `extname` (POSIX): from the last dot of the last segment, `""` when that segment has
 * none or only a leading one. Here so that listing the handlers (every start-up) loads no Node module.
 */
export function extname(path: string): string {
  const base = path.replace(/\/+$/, "").split("/").at(-1)!;
  const dot = base.lastIndexOf(".");
  return dot > 0 && base !== ".." ? base.slice(dot) : "";
}

/** `IMG_3582.HEIC` -> `IMG_3582`. */
export function stemOf(asset: Asset): string {
  return asset.filename.slice(0, asset.filename.length - extname(asset.filename).length);
}

/**
 * The name a resource travels under: the asset's stem, a suffix, and the resource's own extension
 * (or `ext`), in the letter case of the asset's extension (`IMG_3582.HEIC` gives `.MOV`,
 * `wedding.jpg` gives `.mov`).
 */
export function travelName(
  asset: Asset,
  resource: Resource,
  options: { suffix?: string; ext?: string } = {},
) {
  const ext = options.ext ?? (extname(resource.filename) || extname(resource.path ?? ""));
  const own = extname(asset.filename);
  const lower = own !== "" && own === own.toLowerCase();
  return `${stemOf(asset)}${options.suffix ?? ""}${lower ? ext.toLowerCase() : ext.toUpperCase()}`;
}

/** Plain words for a role, for incompleteness reasons. */
const WHAT: Record<ResourceRole, string> = {
  original: "original",
  motion: "motion video",
  raw: "RAW file",
  adjustment: "adjustment data",
  adjustment_base: "adjustment base",
  edited: "edited version",
  edited_motion: "edited motion video",
  sidecar: "sidecar",
};

/**
 * Plans `resource` under `key` if it can be exported (on disk, or in iCloud Photos, from where the
 * engine downloads it with `--include-cloud`); otherwise marks the plan incomplete
 * (`"<role> missing"`) and plans nothing. Returns whether the key is now in the plan.
 */
export function addIfAvailable(
  plan: PlanBuilder,
  asset: Asset,
  key: string,
  resource: Resource,
  options: { name: string; hidden?: boolean },
): boolean {
  if (plan.has(key)) return true;
  if (!obtainable(asset, resource)) {
    plan.incomplete(`${WHAT[resource.role]} missing`);
    return false;
  }
  plan.add(key, resource, options);
  return true;
}

/** The asset's resources of one role, in the source's order. */
export function resourcesOf(asset: Asset, role: ResourceRole): Resource[] {
  return asset.resources.filter((r) => r.role === role);
}

/** `adjustment`, `adjustment_2`, ... for the n-th resource of a role. */
function keyOf(role: ResourceRole, index: number): string {
  return index === 0 ? role : `${role}_${index + 1}`;
}

/**
 * Plans the rendered edit as `edited`, a `render_of` the original. Whether it travels alone, with
 * the original or not at all is the run's edit policy, applied when the plan is built.
 */
export function planEdited(asset: Asset, plan: PlanBuilder): boolean {
  const render = resourcesOf(asset, "edited")[0];
  if (!render || !plan.has("original")) return false;
  if (
    !addIfAvailable(plan, asset, "edited", render, { name: travelName(asset, render, { suffix: "_edited" }) })
  ) {
    return false;
  }
  plan.relate("render_of", "edited", "original");
  return true;
}

/**
 * Plans every adjustment (`.AAE`/`.plist` edit data, the camera's capture adjustments), adjustment
 * base (the file a multi-step edit starts from) and other sidecar as hidden `sidecar_of` the
 * original. Adjustment data always travels as `.AAE`, the name Photos and other tools look for.
 */
export function planSidecars(asset: Asset, plan: PlanBuilder): void {
  if (!plan.has("original")) return;
  const suffix: Partial<Record<ResourceRole, { suffix?: string; ext?: string }>> = {
    adjustment: { ext: ".AAE" },
    adjustment_base: { suffix: "_base" },
    sidecar: {},
  };
  for (const role of ["adjustment", "adjustment_base", "sidecar"] as const) {
    resourcesOf(asset, role).forEach((resource, i) => {
      const key = keyOf(role, i);
      if (
        addIfAvailable(plan, asset, key, resource, {
          name: travelName(asset, resource, suffix[role]),
          hidden: true,
        })
      ) {
        plan.relate("sidecar_of", key, "original");
      }
    });
  }
}

/** Whether the asset has anything {@link planSidecars} would plan. */
export function hasSidecars(asset: Asset): boolean {
  return asset.resources.some((r) =>
    r.role === "adjustment" || r.role === "adjustment_base" || r.role === "sidecar"
  );
}
