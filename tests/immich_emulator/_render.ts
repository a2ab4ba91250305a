/**
 * JSON shapes of the emulated server, per version. The key sets and their order follow the real
 * 1.135.3 responses in `../shared/immich/transcripts-v1.135.3/` (which differ by endpoint) and, for
 * 3.x, the DTOs of `@immich/sdk` 3.2.2.
 * @module
 */
import { renderAssetPeople } from "./_people.ts";
import {
  type Album,
  type Asset,
  base64OfHex,
  type Stack,
  type State,
  type Tag,
  type User,
} from "./_state.ts";

/** Which endpoint an asset is rendered for; 1.135 returns a different key set for each. */
export type AssetVariant = "full" | "update" | "list" | "stack" | "search";

export function renderOwner(user: User) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    profileImagePath: "",
    avatarColor: "gray",
    profileChangedAt: user.createdAt,
  };
}

/** `GET /users/me` (a UserAdminResponseDto). */
export function renderMe(state: State, user: User) {
  if (state.features.deviceIds) {
    return {
      ...renderOwner(user),
      storageLabel: user.isAdmin ? "admin" : null,
      shouldChangePassword: true,
      isAdmin: user.isAdmin,
      createdAt: user.createdAt,
      deletedAt: null,
      updatedAt: user.createdAt,
      oauthId: "",
      quotaSizeInBytes: null,
      quotaUsageInBytes: 0,
      status: "active",
      license: null,
    };
  }
  return {
    avatarColor: "gray",
    clusterGroupId: "",
    createdAt: user.createdAt,
    deletedAt: null,
    email: user.email,
    id: user.id,
    isAdmin: user.isAdmin,
    license: null,
    name: user.name,
    oauthId: "",
    profileChangedAt: user.createdAt,
    profileImagePath: "",
    quotaSizeInBytes: null,
    quotaUsageInBytes: 0,
    shouldChangePassword: true,
    status: "active",
    storageLabel: user.isAdmin ? "admin" : null,
    updatedAt: user.createdAt,
  };
}

/** `2024-01-02T03:04:05.000Z` -> `2024-01-02T03:04:05+00:00`, as the exif columns come back. */
export function exifDate(iso: string | null): string | null {
  return iso === null ? null : iso.replace(/\.000Z$/, "+00:00").replace(/Z$/, "+00:00");
}

function renderExif(asset: Asset) {
  return {
    make: null,
    model: null,
    exifImageWidth: asset.exif.exifImageWidth ?? null,
    exifImageHeight: asset.exif.exifImageHeight ?? null,
    fileSizeInByte: asset.exif.fileSizeInByte,
    orientation: asset.exif.orientation ?? null,
    dateTimeOriginal: exifDate(asset.exif.dateTimeOriginal),
    modifyDate: exifDate(asset.fileModifiedAt),
    timeZone: asset.exif.timeZone,
    lensModel: null,
    fNumber: null,
    focalLength: null,
    iso: null,
    exposureTime: null,
    latitude: asset.exif.latitude,
    longitude: asset.exif.longitude,
    city: null,
    state: null,
    country: null,
    description: asset.exif.description,
    projectionType: null,
    rating: asset.exif.rating,
  };
}

export function renderTag(tag: Tag) {
  return {
    id: tag.id,
    parentId: tag.parentId ?? undefined,
    name: tag.value.split("/").at(-1)!,
    value: tag.value,
    createdAt: tag.createdAt,
    updatedAt: tag.updatedAt,
  };
}

function durationOf(state: State, asset: Asset): string | number | null {
  if (!state.features.numericDuration) return asset.duration ?? "0:00:00.00000";
  if (asset.duration === null) return asset.type === "VIDEO" ? 0 : null;
  return Number(asset.duration);
}

/** `withFaces`: the search joined faces (a `personIds` filter), so unassigned ones are listed too. */
export function renderAsset(state: State, asset: Asset, variant: AssetVariant, withFaces = false) {
  const f = state.features;
  const owner = state.users.get(asset.ownerId)!;
  const stack = asset.stackId ? state.stacks.get(asset.stackId) : undefined;
  const tags = [...asset.tagIds].map((id) => state.tags.get(id)).filter((t): t is Tag => !!t).map(renderTag);
  const out: Record<string, unknown> = { id: asset.id };
  if (f.deviceIds) out.deviceAssetId = asset.deviceAssetId ?? "";
  out.ownerId = asset.ownerId;
  if (variant === "full") out.owner = renderOwner(owner);
  if (f.deviceIds) out.deviceId = asset.deviceId ?? "";
  out.libraryId = null;
  out.type = asset.type;
  out.originalPath = `/usr/src/app/upload/upload/${asset.ownerId}/${asset.id.slice(0, 2)}/${
    asset.id.slice(2, 4)
  }/${asset.id}${asset.originalFileName.slice(asset.originalFileName.lastIndexOf("."))}`;
  out.originalFileName = asset.originalFileName;
  out.originalMimeType = asset.originalMimeType;
  out.thumbhash = null;
  out.fileCreatedAt = asset.fileCreatedAt;
  out.fileModifiedAt = asset.fileModifiedAt;
  out.localDateTime = asset.localDateTime;
  out.updatedAt = asset.updatedAt;
  if (!f.deviceIds) {
    out.createdAt = asset.createdAt;
    out.width = null;
    out.height = null;
    out.isEdited = false;
  }
  out.isFavorite = asset.isFavorite;
  out.isArchived = asset.visibility === "archive";
  out.isTrashed = asset.deletedAt !== null;
  out.visibility = asset.visibility;
  out.duration = durationOf(state, asset);
  if (variant !== "search") out.exifInfo = renderExif(asset);
  out.livePhotoVideoId = asset.livePhotoVideoId;
  if (variant === "full" || variant === "stack") out.tags = tags;
  const faces = renderAssetPeople(state.people, asset.id);
  out.people = faces.people;
  if (((variant === "full" || variant === "update") && f.deviceIds) || withFaces) {
    out.unassignedFaces = faces.unassignedFaces;
  }
  out.checksum = base64OfHex(asset.checksum);
  if (variant === "full") {
    out.stack = stack
      ? { id: stack.id, primaryAssetId: stack.primaryAssetId, assetCount: stack.assetIds.length }
      : null;
  }
  out.isOffline = false;
  out.hasMetadata = true;
  out.duplicateId = null;
  out.resized = true;
  return out;
}

/** Which endpoint an album is rendered for (1.135 varies the keys). */
export type AlbumVariant = "create" | "list" | "get" | "patch";

export function renderAlbum(state: State, album: Album, variant: AlbumVariant, withAssets = true) {
  // Albums show what a user sees: trashed, hidden (motion videos) and locked assets do not count.
  const assets = album.assetIds.map((id) => state.assets.get(id)).filter((a): a is Asset =>
    !!a && a.deletedAt === null && (a.visibility === "timeline" || a.visibility === "archive")
  ).sort((a, b) => b.fileCreatedAt.localeCompare(a.fileCreatedAt) || (a.seq ?? 0) - (b.seq ?? 0));
  const dates = assets.map((a) => a.fileCreatedAt).sort();
  const day = (iso: string) => `${iso.slice(0, 10)}T00:00:00.000Z`;
  const out: Record<string, unknown> = {
    albumName: album.albumName,
    description: album.description,
    albumThumbnailAssetId: album.albumThumbnailAssetId,
    createdAt: album.createdAt,
    updatedAt: album.updatedAt,
    id: album.id,
    // 3.x describes the owner through albumUsers only.
    ...(state.features.albumAssets
      ? { ownerId: album.ownerId, owner: renderOwner(state.users.get(album.ownerId)!) }
      : {}),
    albumUsers: [],
    shared: false,
    hasSharedLink: false,
  };
  if (dates.length > 0) {
    out.startDate = day(dates[0]);
    out.endDate = day(dates.at(-1)!);
  }
  if (state.features.albumAssets) {
    const listed = (variant === "create" || variant === "get") && withAssets;
    out.assets = listed ? assets.map((a) => renderAsset(state, a, "list")) : [];
    // 1.135 answers an album creation with every asset's isFavorite false (it does not load them).
    if (variant === "create") {
      for (const a of out.assets as { isFavorite: boolean }[]) a.isFavorite = false;
    }
  }
  out.assetCount = assets.length;
  out.isActivityEnabled = true;
  out.order = "desc";
  if (dates.length > 0 && (variant === "list" || variant === "get")) {
    out.lastModifiedAssetTimestamp = assets.map((a) => a.updatedAt).sort().at(-1);
  }
  return out;
}

export function renderStack(state: State, stack: Stack, variant: "list" | "stack") {
  // The primary first, then the others in upload order.
  const seq = (id: string) => state.assets.get(id)?.seq ?? 0;
  const others = stack.assetIds.filter((id) => id !== stack.primaryAssetId).sort((a, b) => seq(a) - seq(b));
  const ordered = [stack.primaryAssetId, ...others];
  return {
    id: stack.id,
    primaryAssetId: stack.primaryAssetId,
    assets: ordered.map((id) => state.assets.get(id)).filter((a): a is Asset => !!a).map((a) =>
      renderAsset(state, a, variant)
    ),
  };
}
