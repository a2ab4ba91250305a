/**
 * A plan says which resources of one asset travel, under which names, and how they relate.
 * Handlers build it; sources export it; destinations honour it.
 *
 * Several handlers shape one plan (a photo can be Live, Portrait and Spatial at once). They add
 * resources under stable keys (`original`, `motion`, `edited`, ...); adding a key twice keeps the
 * first, so handlers that both know about a resource compose without duplicates. The run-wide
 * {@link PlanPolicy} is applied once, when the plan is built, the same way for every handler.
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
import { DEFAULT_POLICY, type HiddenVisibility, type PlanPolicy } from "./policy.ts";

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

/**
 * Membership in a stack that spans assets (the frames of a burst are separate assets). Every
 * member's plan names the same `id`; the engine asks the destination to stack the members' primary
 * resources, with the member whose `primary` is true on top.
 */
export interface StackGroup {
  id: string;
  primary: boolean;
}

export interface Plan {
  assetId: string;
  resources: PlannedResource[];
  relations: Relation[];
  /** Key of the resource that represents the asset (e.g. the edited render). */
  primary: string;
  /** Ids of the handlers that shaped the plan, in order. */
  handlers: string[];
  /** Media-type tags recorded in the tracker and optionally sent to the destination. */
  tags: string[];
  /** Why the plan is not everything the asset should be (e.g. "motion video missing"). */
  incomplete: string[];
  /**
   * Set when the run's policy leaves the asset out on purpose (an unpicked burst frame). The engine
   * records the asset as skipped with this reason, transfers nothing and looks again next run.
   */
  skip?: string;
  /** For an asset hidden in Photos: how the destination should show it (the run's policy). */
  visibility?: HiddenVisibility;
  /** Stack membership across assets (bursts). */
  stackGroup?: StackGroup;
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

export interface PlanBuilderOptions {
  /** The run's policy; unset fields take {@link DEFAULT_POLICY}'s values. */
  policy?: Partial<PlanPolicy>;
}

/** Builds a plan without duplicates; handed to each handler in turn. */
export class PlanBuilder {
  readonly #plan: Plan;
  /** The run's policy, for the decisions only a handler can make (e.g. which burst frames travel). */
  readonly policy: Readonly<PlanPolicy>;

  constructor(asset: Asset, options: PlanBuilderOptions = {}) {
    this.policy = Object.freeze({ ...DEFAULT_POLICY, ...definedOnly(options.policy ?? {}) });
    this.#plan = {
      assetId: asset.id,
      resources: [],
      relations: [],
      primary: "original",
      handlers: [],
      tags: [],
      incomplete: [],
    };
    if (asset.hidden) this.#plan.visibility = this.policy.hidden;
    const original = asset.resources.find((r) => r.role === "original");
    if (original) this.add("original", original, { name: original.filename });
  }

  /**
   * Adds a resource under `key`; adding the same key twice keeps the first. Names stay unique
   * within the plan, ignoring case as macOS does: a taken name gets `_2`, `_3`, ... before its
   * extension, so no file of the group can overwrite another at the destination.
   */
  add(key: string, resource: Resource, options: { name?: string; hidden?: boolean } = {}): this {
    if (this.has(key)) return this;
    this.#plan.resources.push({
      key,
      role: resource.role,
      resource,
      name: this.#freeName(options.name ?? resource.filename),
      hidden: options.hidden ?? false,
    });
    return this;
  }

  #freeName(name: string): string {
    const taken = new Set(this.#plan.resources.map((r) => r.name.toLowerCase()));
    if (!taken.has(name.toLowerCase())) return name;
    const dot = name.lastIndexOf(".");
    const [base, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
    for (let n = 2;; n++) {
      const candidate = `${base}_${n}${ext}`;
      if (!taken.has(candidate.toLowerCase())) return candidate;
    }
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

  /** Makes `key` the resource that represents the asset (e.g. the RAW of a RAW+JPEG pair). */
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

  /** Leaves the asset out of this run on purpose; the first reason given is kept. */
  skip(reason: string): this {
    this.#plan.skip ??= reason;
    return this;
  }

  /** Makes the asset a member of a stack that spans assets; the first call decides. */
  stackGroup(id: string, options: { primary: boolean }): this {
    this.#plan.stackGroup ??= { id, primary: options.primary };
    return this;
  }

  /** Records that a handler shaped this plan (the host calls this). */
  markHandler(id: string): this {
    if (!this.#plan.handlers.includes(id)) this.#plan.handlers.push(id);
    return this;
  }

  /**
   * A snapshot of the plan so far, with the edit policy applied and every stack pointing at the
   * final primary. The builder itself is left as it was.
   */
  build(): Plan {
    const plan = structuredClone(this.#plan);
    applyEditPolicy(plan, this.policy.edited);
    normalizeStack(plan);
    return plan;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const isEditedRole = (role: ResourceRole) => role === "edited" || role === "edited_motion";

/**
 * Applies the edit policy to a plan: the resources in roles `edited`/`edited_motion` are the edited
 * version, everything else the original version. Whatever is attached (`motion_of`, `sidecar_of`)
 * only to resources that do not travel does not travel either.
 */
function applyEditPolicy(plan: Plan, policy: PlanPolicy["edited"]): void {
  const edited = plan.resources.filter((r) => isEditedRole(r.role));
  if (edited.length === 0) return;
  const render =
    edited.find((r) =>
      r.role === "edited" && plan.relations.some((rel) => rel.type === "render_of" && rel.from === r.key)
    ) ?? edited.find((r) => r.role === "edited");
  if (policy === "originals") {
    dropWithAttached(plan, new Set(edited.map((r) => r.key)));
    if (!plan.resources.some((r) => r.key === plan.primary) && plan.resources.length > 0) {
      plan.primary = plan.resources.some((r) => r.key === "original") ? "original" : plan.resources[0].key;
    }
    return;
  }
  if (!render) return; // an edited motion video without its still: nothing to put on top
  if (policy === "edited") {
    const keep = attachedClosure(plan, new Set(edited.map((r) => r.key)));
    dropWithAttached(plan, new Set(plan.resources.map((r) => r.key).filter((k) => !keep.has(k))));
    plan.primary = render.key;
    return;
  }
  if (plan.primary !== render.key) {
    plan.relations.push({ type: "stack", from: plan.primary, to: render.key });
    plan.primary = render.key;
  }
}

const ATTACHMENTS = new Set<RelationType>(["motion_of", "sidecar_of"]);

/** `keys` plus every resource attached to one of them, transitively. */
function attachedClosure(plan: Plan, keys: Set<string>): Set<string> {
  const result = new Set(keys);
  for (let grew = true; grew;) {
    grew = false;
    for (const rel of plan.relations) {
      if (ATTACHMENTS.has(rel.type) && result.has(rel.to) && !result.has(rel.from)) {
        result.add(rel.from);
        grew = true;
      }
    }
  }
  return result;
}

/** Removes `keys`, what is attached only to removed resources, and every relation that names them. */
function dropWithAttached(plan: Plan, keys: Set<string>): void {
  const dropped = new Set(keys);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of plan.resources) {
      if (dropped.has(r.key)) continue;
      const targets = plan.relations.filter((rel) => ATTACHMENTS.has(rel.type) && rel.from === r.key);
      if (targets.length > 0 && targets.every((rel) => dropped.has(rel.to))) {
        dropped.add(r.key);
        grew = true;
      }
    }
  }
  plan.resources = plan.resources.filter((r) => !dropped.has(r.key));
  plan.relations = plan.relations.filter((rel) => !dropped.has(rel.from) && !dropped.has(rel.to));
}

/**
 * One asset has at most one stack: everything any handler stacked goes under the final primary,
 * whichever handler chose it, so handlers need not know each other's order.
 */
function normalizeStack(plan: Plan): void {
  const stacked = plan.relations.filter((r) => r.type === "stack");
  if (stacked.length === 0) return;
  const members = new Set(stacked.flatMap((r) => [r.from, r.to]));
  members.add(plan.primary);
  plan.relations = [
    ...plan.relations.filter((r) => r.type !== "stack"),
    ...plan.resources.filter((r) => members.has(r.key) && r.key !== plan.primary)
      .map((r) => ({ type: "stack" as const, from: r.key, to: plan.primary })),
  ];
}
