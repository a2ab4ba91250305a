/**
 * The emulator's in-memory server state: users, API keys, assets (deduplicated by SHA-1 per user),
 * trash, Live Photo links, stacks, albums, tags, asset metadata and job queues. Routes in
 * `app.ts` translate HTTP into calls here; tests read it directly to assert what reached "Immich".
 * @module
 */

import { People } from "./_people.ts";
export type Visibility = "timeline" | "archive" | "hidden" | "locked";
export const VISIBILITIES: readonly Visibility[] = ["archive", "timeline", "hidden", "locked"];

/** Behaviour switches derived from the emulated server version. */
export interface Features {
  version: { major: number; minor: number; patch: number };
  /** `deviceAssetId` and `deviceId`: required on upload and returned in asset JSON (removed in 3.0). */
  deviceIds: boolean;
  /** Asset `duration` is a number of milliseconds (3.0) instead of "H:MM:SS.ffffff". */
  numericDuration: boolean;
  /** `GET /api-keys/me` exists (1.143 and later). */
  apiKeyMe: boolean;
  /** `GET /albums/{id}` includes the assets (removed in 3.0). */
  albumAssets: boolean;
  /** Asset metadata endpoints (1.143) and the upload `metadata` field (3.0 here). */
  assetMetadata: boolean;
  uploadMetadata: boolean;
  /** `/queues` endpoints (3.0); `/jobs` stays as the legacy route. */
  queues: boolean;
  /** `PUT /albums/assets` (1.143). */
  albumsAddMany: boolean;
  /** Every route checks its API-key permission (1.135 only checks routes that declare one). */
  allPermissionsEnforced: boolean;
}

export function featuresFor(version: string): Features {
  const [major, minor, patch] = version.replace(/^v/, "").split(".").map((n) => Number(n) || 0);
  const atLeast = (ma: number, mi: number) => major > ma || (major === ma && minor >= mi);
  return {
    version: { major, minor, patch },
    deviceIds: major < 3,
    numericDuration: major >= 3,
    apiKeyMe: atLeast(1, 143),
    albumAssets: major < 3,
    assetMetadata: atLeast(1, 143),
    uploadMetadata: major >= 3,
    queues: major >= 3,
    albumsAddMany: atLeast(1, 143),
    allPermissionsEnforced: atLeast(1, 143),
  };
}

export interface User {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  createdAt: string;
}

export interface ApiKey {
  id: string;
  secret: string;
  userId: string;
  name: string;
  permissions: string[];
  createdAt: string;
}

export interface Exif {
  fileSizeInByte: number | null;
  dateTimeOriginal: string | null;
  timeZone: string | null;
  description: string;
  rating: number | null;
  latitude: number | null;
  longitude: number | null;
  /**
   * What metadata extraction reads of the image (the emulator decodes no media: tests set them, as
   * the real server would have read them from the file).
   */
  exifImageWidth?: number | null;
  exifImageHeight?: number | null;
  orientation?: string | null;
}

export interface Asset {
  id: string;
  /** Upload order, which breaks ties where Immich orders by time. */
  seq?: number;
  ownerId: string;
  deviceAssetId?: string;
  deviceId?: string;
  type: "IMAGE" | "VIDEO";
  originalFileName: string;
  originalMimeType: string;
  /** Lower-case hex SHA-1 of the original. */
  checksum: string;
  size: number;
  /** Where the bytes were written, when the emulator keeps them. */
  path?: string;
  fileCreatedAt: string;
  fileModifiedAt: string;
  localDateTime: string;
  createdAt: string;
  updatedAt: string;
  /** The updatedAt before exif-only edits whose re-extraction Immich would not have run yet. */
  unextractedUpdatedAt?: string;
  isFavorite: boolean;
  visibility: Visibility;
  deletedAt: string | null;
  livePhotoVideoId: string | null;
  stackId: string | null;
  duration: string | null;
  exif: Exif;
  tagIds: Set<string>;
  metadata: Map<string, { value: unknown; updatedAt: string }>;
  hasSidecar: boolean;
}

export interface Album {
  id: string;
  ownerId: string;
  albumName: string;
  description: string;
  assetIds: string[];
  albumThumbnailAssetId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Stack {
  id: string;
  ownerId: string;
  primaryAssetId: string;
  assetIds: string[];
}

export interface Tag {
  id: string;
  userId: string;
  value: string;
  parentId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** API-key permission names of 1.135.3 (from its validation message in the transcripts). */
export const PERMISSIONS_1_135: readonly string[] = [
  "all",
  "activity.create",
  "activity.read",
  "activity.update",
  "activity.delete",
  "activity.statistics",
  "apiKey.create",
  "apiKey.read",
  "apiKey.update",
  "apiKey.delete",
  "asset.read",
  "asset.update",
  "asset.delete",
  "asset.share",
  "asset.view",
  "asset.download",
  "asset.upload",
  "album.create",
  "album.read",
  "album.update",
  "album.delete",
  "album.statistics",
  "album.addAsset",
  "album.removeAsset",
  "album.share",
  "album.download",
  "authDevice.delete",
  "archive.read",
  "face.create",
  "face.read",
  "face.update",
  "face.delete",
  "library.create",
  "library.read",
  "library.update",
  "library.delete",
  "library.statistics",
  "timeline.read",
  "timeline.download",
  "memory.create",
  "memory.read",
  "memory.update",
  "memory.delete",
  "notification.create",
  "notification.read",
  "notification.update",
  "notification.delete",
  "partner.create",
  "partner.read",
  "partner.update",
  "partner.delete",
  "person.create",
  "person.read",
  "person.update",
  "person.delete",
  "person.statistics",
  "person.merge",
  "person.reassign",
  "session.create",
  "session.read",
  "session.update",
  "session.delete",
  "session.lock",
  "sharedLink.create",
  "sharedLink.read",
  "sharedLink.update",
  "sharedLink.delete",
  "stack.create",
  "stack.read",
  "stack.update",
  "stack.delete",
  "systemConfig.read",
  "systemConfig.update",
  "systemMetadata.read",
  "systemMetadata.update",
  "tag.create",
  "tag.read",
  "tag.update",
  "tag.delete",
  "tag.asset",
  "admin.user.create",
  "admin.user.read",
  "admin.user.update",
  "admin.user.delete",
];

/** API-key permission names of 3.2.2 (the SDK's `Permission` enum); 1.143 already used these names. */
export const PERMISSIONS_3: readonly string[] = [
  "all",
  "activity.create",
  "activity.read",
  "activity.update",
  "activity.delete",
  "activity.statistics",
  "apiKey.create",
  "apiKey.read",
  "apiKey.update",
  "apiKey.delete",
  "apiKey.rotate",
  "asset.read",
  "asset.update",
  "asset.delete",
  "asset.statistics",
  "asset.share",
  "asset.view",
  "asset.download",
  "asset.upload",
  "asset.copy",
  "asset.derive",
  "assetFile.read",
  "assetFile.delete",
  "assetFile.download",
  "asset.edit.get",
  "asset.edit.create",
  "asset.edit.delete",
  "album.create",
  "album.read",
  "album.update",
  "album.delete",
  "album.statistics",
  "album.share",
  "album.download",
  "albumAsset.create",
  "albumAsset.delete",
  "albumUser.create",
  "albumUser.update",
  "albumUser.delete",
  "auth.changePassword",
  "authDevice.delete",
  "archive.read",
  "backup.list",
  "backup.download",
  "backup.upload",
  "backup.delete",
  "clusterGroup.read",
  "clusterGroup.leave",
  "clusterGroupRequest.create",
  "clusterGroupRequest.read",
  "clusterGroupRequest.delete",
  "adminConfig.read",
  "adminConfig.update",
  "userConfig.read",
  "duplicate.read",
  "duplicate.delete",
  "face.create",
  "face.read",
  "face.update",
  "face.delete",
  "folder.read",
  "job.create",
  "job.read",
  "library.create",
  "library.read",
  "library.update",
  "library.delete",
  "library.statistics",
  "timeline.read",
  "timeline.download",
  "maintenance",
  "map.read",
  "map.search",
  "memory.create",
  "memory.read",
  "memory.update",
  "memory.delete",
  "memory.statistics",
  "memoryAsset.create",
  "memoryAsset.delete",
  "notification.create",
  "notification.read",
  "notification.update",
  "notification.delete",
  "partner.create",
  "partner.read",
  "partner.update",
  "partner.delete",
  "person.create",
  "person.read",
  "person.update",
  "person.delete",
  "person.statistics",
  "person.merge",
  "person.reassign",
  "pinCode.create",
  "pinCode.update",
  "pinCode.delete",
  "plugin.create",
  "plugin.read",
  "plugin.update",
  "plugin.delete",
  "server.about",
  "server.apkLinks",
  "server.storage",
  "server.statistics",
  "server.versionCheck",
  "serverLicense.read",
  "serverLicense.update",
  "serverLicense.delete",
  "session.create",
  "session.read",
  "session.update",
  "session.delete",
  "session.lock",
  "sharedLink.create",
  "sharedLink.read",
  "sharedLink.update",
  "sharedLink.delete",
  "stack.create",
  "stack.read",
  "stack.update",
  "stack.delete",
  "sync.stream",
  "syncCheckpoint.read",
  "syncCheckpoint.update",
  "syncCheckpoint.delete",
  "systemConfig.read",
  "systemConfig.update",
  "systemMetadata.read",
  "systemMetadata.update",
  "tag.create",
  "tag.read",
  "tag.update",
  "tag.delete",
  "tag.asset",
  "user.read",
  "user.update",
  "userLicense.create",
  "userLicense.read",
  "userLicense.update",
  "userLicense.delete",
  "userOnboarding.read",
  "userOnboarding.update",
  "userOnboarding.delete",
  "userPreference.read",
  "userPreference.update",
  "userProfileImage.create",
  "userProfileImage.read",
  "userProfileImage.update",
  "userProfileImage.delete",
  "queue.read",
  "queue.update",
  "queueJob.create",
  "queueJob.read",
  "queueJob.update",
  "queueJob.delete",
  "workflow.create",
  "workflow.read",
  "workflow.update",
  "workflow.delete",
  "workflow.logs",
  "adminUser.create",
  "adminUser.read",
  "adminUser.update",
  "adminUser.delete",
  "adminSession.read",
  "adminAuth.unlinkAll",
];

export const QUEUE_NAMES = [
  "thumbnailGeneration",
  "metadataExtraction",
  "videoConversion",
  "faceDetection",
  "facialRecognition",
  "smartSearch",
  "duplicateDetection",
  "backgroundTask",
  "storageTemplateMigration",
  "migration",
  "search",
  "sidecar",
  "library",
  "notifications",
  "backupDatabase",
] as const;

const now = () => new Date().toISOString();

/** Hex SHA-1 from hex (any case) or base64; undefined when it is neither. */
export function normaliseChecksum(checksum: string): string | undefined {
  if (/^[0-9a-f]{40}$/i.test(checksum)) return checksum.toLowerCase();
  if (/^[A-Za-z0-9+/]{27}=$/.test(checksum)) {
    const bytes = Uint8Array.from(atob(checksum), (c) => c.charCodeAt(0));
    return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  return undefined;
}

export function base64OfHex(hex: string): string {
  const bytes = hex.match(/../g)!.map((h) => parseInt(h, 16));
  return btoa(String.fromCharCode(...bytes));
}

export class State {
  readonly users = new Map<string, User>();
  readonly keys = new Map<string, ApiKey>();
  readonly assets = new Map<string, Asset>();
  readonly albums = new Map<string, Album>();
  readonly stacks = new Map<string, Stack>();
  readonly tags = new Map<string, Tag>();
  readonly people = new People();
  /** ownerId -> hex checksum -> asset id (trashed assets included, as the unique index is). */
  readonly #byChecksum = new Map<string, Map<string, string>>();
  readonly paused = new Set<string>();
  readonly admin: User;

  constructor(readonly features: Features) {
    this.admin = this.createUser({ email: "admin@example.com", name: "Admin", isAdmin: true });
  }

  createUser(options: { email: string; name: string; isAdmin?: boolean }): User {
    const user: User = {
      id: crypto.randomUUID(),
      email: options.email,
      name: options.name,
      isAdmin: options.isAdmin ?? false,
      createdAt: now(),
    };
    this.users.set(user.id, user);
    return user;
  }

  createApiKey(userId: string, permissions: string[] = ["all"], name = "key", secret?: string): ApiKey {
    const key: ApiKey = {
      id: crypto.randomUUID(),
      secret: secret ?? crypto.randomUUID().replaceAll("-", "") + crypto.randomUUID().replaceAll("-", ""),
      userId,
      name,
      permissions,
      createdAt: now(),
    };
    this.keys.set(key.secret, key);
    return key;
  }

  revokeApiKey(id: string): boolean {
    for (const [secret, key] of this.keys) {
      if (key.id === id) {
        this.keys.delete(secret);
        return true;
      }
    }
    return false;
  }

  /** The asset of this owner with these bytes, trashed or not. */
  /** Checksums of force-deleted assets whose background removal has not finished: owner:hex -> id. */
  readonly deleting = new Map<string, string>();

  /** The id a still-deleting asset with these bytes had; asked once, the removal is then done. */
  takeDeleting(ownerId: string, hex: string): string | undefined {
    const id = this.deleting.get(`${ownerId}:${hex}`);
    this.deleting.delete(`${ownerId}:${hex}`);
    return id;
  }

  findByChecksum(ownerId: string, hex: string): Asset | undefined {
    const id = this.#byChecksum.get(ownerId)?.get(hex);
    return id ? this.assets.get(id) : undefined;
  }

  #seq = 0;

  addAsset(asset: Asset): void {
    asset.seq = ++this.#seq;
    this.assets.set(asset.id, asset);
    let index = this.#byChecksum.get(asset.ownerId);
    if (!index) this.#byChecksum.set(asset.ownerId, index = new Map());
    index.set(asset.checksum, asset.id);
  }

  /** As Immich does when an album loses its cover: the newest asset left becomes it. */
  pickThumbnail(album: Album): void {
    const newest = album.assetIds.map((id) => this.assets.get(id)).filter((a): a is Asset => !!a)
      .sort((a, b) => b.fileCreatedAt.localeCompare(a.fileCreatedAt))[0];
    album.albumThumbnailAssetId = newest?.id ?? null;
  }

  /** Permanent removal: the asset, its unused motion video, and every reference to them. */
  deleteAsset(id: string): void {
    const asset = this.assets.get(id);
    if (!asset) return;
    this.assets.delete(id);
    this.people.forgetAsset(id);
    this.#byChecksum.get(asset.ownerId)?.delete(asset.checksum);
    for (const album of this.albums.values()) {
      const at = album.assetIds.indexOf(id);
      if (at >= 0) album.assetIds.splice(at, 1);
      if (album.albumThumbnailAssetId === id) this.pickThumbnail(album);
    }
    if (asset.stackId) this.#leaveStack(asset.stackId, id);
    for (const other of this.assets.values()) {
      if (other.livePhotoVideoId === id) other.livePhotoVideoId = null;
    }
    const video = asset.livePhotoVideoId ? this.assets.get(asset.livePhotoVideoId) : undefined;
    if (video && ![...this.assets.values()].some((a) => a.livePhotoVideoId === video.id)) {
      this.deleteAsset(video.id);
    }
  }

  #leaveStack(stackId: string, assetId: string): void {
    const stack = this.stacks.get(stackId);
    if (!stack) return;
    stack.assetIds = stack.assetIds.filter((a) => a !== assetId);
    if (stack.assetIds.length < 2) this.deleteStack(stack.id);
    else if (stack.primaryAssetId === assetId) stack.primaryAssetId = stack.assetIds[0];
  }

  deleteStack(id: string): void {
    const stack = this.stacks.get(id);
    if (!stack) return;
    this.stacks.delete(id);
    for (const assetId of stack.assetIds) {
      const asset = this.assets.get(assetId);
      if (asset?.stackId === id) asset.stackId = null;
    }
  }

  /**
   * Creates a stack of `assetIds` (the first is the primary). As Immich does, members of
   * existing stacks bring their whole stack along, and those stacks are deleted.
   */
  createStack(ownerId: string, assetIds: string[]): Stack {
    const members: string[] = [];
    for (const id of assetIds) {
      const asset = this.assets.get(id)!;
      const old = asset.stackId ? this.stacks.get(asset.stackId) : undefined;
      for (const m of old ? [id, ...old.assetIds] : [id]) if (!members.includes(m)) members.push(m);
      if (old) this.stacks.delete(old.id);
    }
    const stack: Stack = { id: crypto.randomUUID(), ownerId, primaryAssetId: assetIds[0], assetIds: members };
    this.stacks.set(stack.id, stack);
    for (const m of members) {
      const asset = this.assets.get(m);
      if (asset) asset.stackId = stack.id;
    }
    return stack;
  }

  /** Upserts a tag path such as `Trips/Paris`, creating its parents; returns the leaf. */
  upsertTag(userId: string, path: string): Tag {
    let parent: Tag | undefined;
    const parts = path.split("/").map((p) => p.trim()).filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const value = parts.slice(0, i + 1).join("/");
      let tag = [...this.tags.values()].find((t) => t.userId === userId && t.value === value);
      if (!tag) {
        const at = now();
        tag = {
          id: crypto.randomUUID(),
          userId,
          value,
          parentId: parent?.id ?? null,
          createdAt: at,
          updatedAt: at,
        };
        this.tags.set(tag.id, tag);
      }
      parent = tag;
    }
    return parent!;
  }

  /** Assets of one owner, as search sees them. */
  *assetsOf(ownerId: string): Iterable<Asset> {
    for (const a of this.assets.values()) if (a.ownerId === ownerId) yield a;
  }

  touch(asset: Asset): void {
    asset.updatedAt = now();
  }
}
