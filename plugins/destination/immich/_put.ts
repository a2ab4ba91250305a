/**
 * `put()` of one exported group, in the order Immich needs it: files Immich cannot hold set
 * aside, the rest checked against the server in batches, motion videos uploaded before the stills
 * that name them, duplicates in the trash restored, then links, metadata, stacks and albums.
 * @module
 */
import { extName } from "../../../core/model/path.ts";
import type { Asset } from "../../../core/model/asset.ts";
import type { ExportedFile, ExportedGroup, Plan, PlannedResource } from "../../../core/model/plan.ts";
import { PermanentError } from "../../../core/plugin/errors.ts";
import type { Logger, PutResult, RemoteRef } from "../../../core/plugin/types.ts";
import type { AlbumSync } from "./_albums.ts";
import type { ImmichClient } from "./_client.ts";
import type { ImportPause } from "./_jobs.ts";
import type { MetadataWriter } from "./_metadata.ts";
import type { CheckResult, Precheck } from "./_precheck.ts";
import { linkStills, stackRelations } from "./_relations.ts";
import { inImmich, UNSUPPORTED_PREFIX, type Visibility } from "./_settings.ts";
import type { Uploader } from "./_upload.ts";

/**
 * Into an account with no assets, files up to this size go up without a check first: the
 * `x-immich-checksum` header still makes the server answer "duplicate" before it reads the body.
 */
export const UNCHECKED_UPLOAD = 8 << 20;

/** The session's parts a put uses. */
export interface PutParts {
  client: ImmichClient;
  log: Logger;
  /** The file extensions the server holds (`/server/media-types`), lower case. */
  storable: Set<string>;
  precheck: Precheck;
  uploader: Uploader;
  metadata: MetadataWriter;
  albums?: AlbumSync;
  pause?: ImportPause;
}

/** What one put knows about its group as it goes. */
interface Work {
  group: ExportedGroup;
  files: Map<string, ExportedFile>;
  motionToStill: Map<string, string>;
  stillToMotion: Map<string, string>;
  refs: Map<string, RemoteRef>;
  /** Duplicates found in Immich's trash, to restore. */
  trashed: string[];
  /** Stills uploaded with their motion video's id (linked by the upload). */
  linked: Set<string>;
}

const ACCEPT: CheckResult = { id: "", action: "accept" };

export class GroupPut {
  constructor(readonly parts: PutParts) {}

  async put(group: ExportedGroup): Promise<PutResult> {
    await this.parts.pause?.beforePut(group.files.reduce((sum, f) => sum + f.size, 0));
    const work = workOf(group);
    const uploads = this.#uploadsOf(work);
    const checks = await this.#checksOf(work, uploads);
    for (const [i, r] of uploads.entries()) await this.#store(work, r, checks[i]);
    await this.#restore(work);
    await this.#relate(work);
    return { resources: group.plan.resources.map((r) => work.refs.get(r.key)!) };
  }

  /** The resources to upload, motion videos first; the others get their `unsupported:` id. */
  #uploadsOf(work: Work): PlannedResource[] {
    const { asset, plan } = work.group;
    const sidecars = new Set(plan.relations.filter((r) => r.type === "sidecar_of").map((r) => r.from));
    const uploads: PlannedResource[] = [];
    for (const r of plan.resources) {
      const file = work.files.get(r.key);
      if (!file) throw new PermanentError(`${describe(asset, r)} was planned but not exported`);
      if (this.#canStore(r, sidecars)) uploads.push(r);
      else if (r.key === plan.primary) {
        throw new PermanentError(
          `Immich does not accept ${extName(r.name) || "extensionless"} files, so ${
            describe(asset, r)
          } cannot be imported`,
        );
      } else work.refs.set(r.key, unsupported(file));
    }
    // Motion videos first: a still is uploaded with the id of its video.
    const isMotion = (r: PlannedResource) => Number(work.motionToStill.has(r.key));
    return uploads.sort((a, b) => isMotion(b) - isMotion(a));
  }

  /** The check of each upload, or none where checking first does not pay off. */
  async #checksOf(work: Work, uploads: PlannedResource[]): Promise<(CheckResult | undefined)[]> {
    const precheck = await this.parts.precheck.expectDuplicates();
    return await Promise.all(uploads.map((r) => {
      const file = work.files.get(r.key)!;
      return precheck || file.size > UNCHECKED_UPLOAD ? this.parts.precheck.check(file.sha1) : undefined;
    }));
  }

  /** One resource: recorded as the duplicate the check found, set aside as refused, or uploaded. */
  async #store(work: Work, r: PlannedResource, checked: CheckResult | undefined): Promise<void> {
    const file = work.files.get(r.key)!;
    let check = checked ?? ACCEPT;
    if (
      check.reason === "duplicate" && check.assetId && !(await this.parts.uploader.readsBack(check.assetId))
    ) {
      check = ACCEPT; // just deleted: the upload tells
    }
    if (check.action === "reject" && check.reason === "duplicate" && check.assetId) {
      work.refs.set(r.key, { key: r.key, remoteId: check.assetId, duplicate: true });
      if (check.isTrashed) work.trashed.push(check.assetId);
    } else if (check.action === "reject") {
      if (r.key === work.group.plan.primary) {
        throw new PermanentError(
          `Immich rejects ${describe(work.group.asset, r)} (${check.reason ?? "no reason given"})`,
        );
      }
      work.refs.set(r.key, unsupported(file));
    } else await this.#upload(work, r, file, checked === undefined);
  }

  async #upload(work: Work, r: PlannedResource, file: ExportedFile, unchecked: boolean): Promise<void> {
    const { asset, plan } = work.group;
    const motionKey = work.stillToMotion.get(r.key);
    const motion = motionKey ? work.refs.get(motionKey) : undefined;
    const motionId = motion && inImmich(motion.remoteId) ? motion.remoteId : undefined;
    const answer = await this.parts.uploader.uploadVerified(work.group, r, file, {
      visibility: visibilityOf(asset, plan, r, work.motionToStill),
      livePhotoVideoId: motionId,
      tags: this.parts.metadata.tagsOf(asset, plan),
    });
    const duplicate = answer.status === "duplicate";
    work.refs.set(r.key, { key: r.key, remoteId: answer.id, duplicate });
    if (motionId && !duplicate) work.linked.add(r.key);
    if (duplicate && unchecked) {
      // Duplicates turned up unannounced: check before uploading from now on, and ask whether
      // this one sits in the trash (a duplicate's answer does not say).
      this.parts.precheck.sawDuplicate();
      const late = await this.parts.precheck.check(file.sha1);
      if (late.isTrashed && late.assetId) work.trashed.push(late.assetId);
    }
  }

  /** A duplicate in Immich's trash would stay invisible: bring it back. */
  async #restore(work: Work): Promise<void> {
    if (work.trashed.length === 0) return;
    const { asset } = work.group;
    await this.parts.client.json("POST", "/trash/restore/assets", { ids: [...new Set(work.trashed)] }, {
      what: `restoring ${asset.filename} (${asset.id}) from the Immich trash`,
    });
    this.parts.log.info(`restored ${asset.filename} from the Immich trash, where an earlier copy was`);
  }

  /** Links, metadata of a duplicate, stacks and albums, once every resource is in Immich. */
  async #relate(work: Work): Promise<void> {
    const { asset, plan } = work.group;
    const primary = work.refs.get(plan.primary)!;
    const planned = plan.resources.find((r) => r.key === plan.primary)!;
    const visibility = visibilityOf(asset, plan, planned, work.motionToStill);
    // An API key cannot touch an asset in the locked folder after its upload: what follows is skipped.
    const locked = visibility === "locked";
    if (locked) {
      this.parts.log.debug(
        `${asset.filename} went to the locked folder; no later link, stack or album for it`,
      );
    }
    if (!locked) await linkStills(this.parts.client, work.motionToStill, work.refs, work.linked);
    if (primary.duplicate) await this.parts.metadata.apply(asset, plan, primary.remoteId, visibility);
    if (!locked) await stackRelations(this.parts.client, plan, work.refs);
    if (this.parts.albums && asset.albums.length > 0 && !locked) {
      await this.parts.albums.add(primary.remoteId, asset.albums);
    }
  }

  #canStore(r: PlannedResource, sidecars: Set<string>): boolean {
    if (r.role === "adjustment" || r.role === "sidecar" || sidecars.has(r.key)) return false;
    return this.parts.storable.has(extName(r.name).toLowerCase());
  }
}

function workOf(group: ExportedGroup): Work {
  const motionToStill = new Map(
    group.plan.relations.filter((r) => r.type === "motion_of").map((r) => [r.from, r.to]),
  );
  return {
    group,
    files: new Map(group.files.map((f) => [f.key, f])),
    motionToStill,
    stillToMotion: new Map([...motionToStill].map(([m, s]) => [s, m])),
    refs: new Map(),
    trashed: [],
    linked: new Set(),
  };
}

const describe = (asset: Asset, r: PlannedResource) =>
  `${r.name} (${r.role} of ${asset.filename}, ${asset.id})`;

function unsupported(file: ExportedFile): RemoteRef {
  return { key: file.key, remoteId: `${UNSUPPORTED_PREFIX}${file.sha1}`, duplicate: false };
}

function visibilityOf(
  asset: Asset,
  plan: Plan,
  r: PlannedResource,
  motionToStill: Map<string, string>,
): Visibility {
  if (r.hidden || motionToStill.has(r.key)) return "hidden";
  // The run's policy (--hidden-visibility) decided it for the plan.
  if (asset.hidden) return plan.visibility ?? "archive";
  return "timeline";
}
