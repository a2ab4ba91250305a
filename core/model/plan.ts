/**
 * A plan says which resources of one asset travel, under which names, and how they relate.
 * Handlers build it; sources export it; destinations honour it.
 *
 * @example
 * ```ts
 * const plan = new PlanBuilder(asset);           // starts with the original as primary
 * plan.add("motion", motionResource, { name: "IMG_0001.MOV", hidden: true });
 * plan.relate("motion_of", "motion", "original");
 * ```
 * @module
 */
import type { Asset, Resource, ResourceRole } from "./asset.ts";

/**
 * - `motion_of`: `from` is the motion video of the still `to` (Live Photo).
 * - `stack`: `from` is stacked under `to`, the stack's primary.
 * - `sidecar_of`: `from` is data that belongs to `to` and is not shown on its own (AAE, depth, plist).
 * - `render_of`: `from` is a rendered (edited) version of `to`.
 */
export type RelationType = "motion_of" | "stack" | "sidecar_of" | "render_of";

export interface PlannedResource {
  /** Unique within the plan; also the key the tracker records the remote id under. */
  key: string;
  role: ResourceRole;
  resource: Resource;
  /** File name at the destination. */
  name: string;
  /** Not shown on its own at the destination (e.g. a Live Photo's motion video). */
  hidden: boolean;
}

export interface Relation {
  type: RelationType;
  from: string;
  to: string;
}

export interface Plan {
  assetId: string;
  resources: PlannedResource[];
  relations: Relation[];
  /** Key of the resource that represents the asset. */
  primary: string;
  /** Ids of the handlers that shaped the plan, in order. */
  handlers: string[];
  /** Media-type tags recorded in the tracker and optionally sent to the destination. */
  tags: string[];
  /** Why the plan is not everything the asset should be (e.g. "motion video missing"). */
  incomplete: string[];
}

/** A planned resource after export: where the bytes are and what they hash to. */
export interface ExportedFile {
  key: string;
  name: string;
  /** Absolute path; read-only for everyone but the source that produced it. */
  path: string;
  size: number;
  /** Lower-case hex SHA-1 of the content (what Immich deduplicates on). */
  sha1: string;
}

/** Everything a destination needs to store one asset. */
export interface ExportedGroup {
  asset: Asset;
  plan: Plan;
  files: ExportedFile[];
}

/** Builds a plan without duplicates; handed to each handler in turn. */
export class PlanBuilder {
  readonly #plan: Plan;

  constructor(asset: Asset) {
    this.#plan = {
      assetId: asset.id,
      resources: [],
      relations: [],
      primary: "original",
      handlers: [],
      tags: [],
      incomplete: [],
    };
    const original = asset.resources.find((r) => r.role === "original");
    if (original) this.add("original", original, { name: original.filename });
  }

  /** Adds a resource under `key`; adding the same key twice keeps the first. */
  add(key: string, resource: Resource, options: { name?: string; hidden?: boolean } = {}): this {
    if (this.has(key)) return this;
    this.#plan.resources.push({
      key,
      role: resource.role,
      resource,
      name: options.name ?? resource.filename,
      hidden: options.hidden ?? false,
    });
    return this;
  }

  has(key: string): boolean {
    return this.#plan.resources.some((r) => r.key === key);
  }

  /** Relates two planned resources; both keys must already be in the plan. */
  relate(type: RelationType, from: string, to: string): this {
    if (!this.has(from) || !this.has(to)) {
      throw new Error(`relation ${type} ${from} -> ${to} names a resource that is not in the plan`);
    }
    if (!this.#plan.relations.some((r) => r.type === type && r.from === from && r.to === to)) {
      this.#plan.relations.push({ type, from, to });
    }
    return this;
  }

  /** Makes `key` the resource that represents the asset (e.g. the edited render). */
  setPrimary(key: string): this {
    if (!this.has(key)) throw new Error(`primary ${key} is not in the plan`);
    this.#plan.primary = key;
    return this;
  }

  tag(tag: string): this {
    if (!this.#plan.tags.includes(tag)) this.#plan.tags.push(tag);
    return this;
  }

  incomplete(reason: string): this {
    if (!this.#plan.incomplete.includes(reason)) this.#plan.incomplete.push(reason);
    return this;
  }

  /** Records that a handler shaped this plan (the host calls this). */
  markHandler(id: string): this {
    if (!this.#plan.handlers.includes(id)) this.#plan.handlers.push(id);
    return this;
  }

  /** A snapshot of the plan so far. */
  build(): Plan {
    return structuredClone(this.#plan);
  }
}
