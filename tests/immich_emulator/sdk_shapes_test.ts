/**
 * In 3.x mode the emulator is driven by the official `@immich/sdk` 3.2.2 (the client Immich
 * generates from its own API description), and every answer is checked against the SDK's response
 * types: the same keys, each value of the declared type.
 */
import assert from "node:assert/strict";
import * as sdk from "@immich/sdk";
import { startEmulator } from "./mod.ts";
import { loadSdkTypes } from "./_sdk_types.ts";

Deno.test("in 3.x mode every answer the SDK reads has the SDK's declared shape", async () => {
  await using server = await startEmulator({ version: "3.2.2" });
  const types = await loadSdkTypes();
  sdk.init({ baseUrl: `${server.url}/api`, apiKey: server.apiKey });
  const problems: string[] = [];
  /** Awaits an SDK call and records how its answer departs from the SDK type (`X[]`: a list of X). */
  const expect = async <T>(type: string, call: Promise<T>): Promise<T> => {
    const value = await call;
    if (!type.endsWith("[]")) problems.push(...types.check(type, value, type));
    else {
      assert.ok(Array.isArray(value), `${type} is an array`);
      value.forEach((v, i) => problems.push(...types.check(type.slice(0, -2), v, `${type}[${i}]`)));
    }
    return value;
  };
  const bytes = (text: string) => new Blob([new TextEncoder().encode(text)]);

  await expect("ServerVersionResponseDto", sdk.getServerVersion());
  await expect("ServerMediaTypesResponseDto", sdk.getSupportedMediaTypes());
  await expect("ServerAboutResponseDto", sdk.getAboutInfo());
  const me = await expect("UserAdminResponseDto", sdk.getMyUser());
  await expect("ApiKeyResponseDto", sdk.getMyApiKey());

  const upload = (name: string, content: string, extra: Partial<sdk.AssetMediaCreateDto> = {}) =>
    expect(
      "AssetMediaResponseDto",
      sdk.uploadAsset({
        assetMediaCreateDto: {
          assetData: new File([bytes(content)], name),
          fileCreatedAt: "2024-05-01T12:00:00.000+02:00",
          fileModifiedAt: "2024-05-01T12:00:00.000+02:00",
          ...extra,
        },
      }),
    );
  const video = await upload("clip.mov", "a video", {
    visibility: sdk.AssetVisibility.Hidden,
    duration: 3200,
  });
  const photo = await upload("photo.heic", "a photo", {
    livePhotoVideoId: video.id,
    isFavorite: true,
    metadata: [{ key: "photos-sync", value: { photosAssetId: "ABC" } }],
  });
  const other = await upload("other.jpg", "another photo");
  assert.equal((await upload("again.heic", "a photo")).status, sdk.AssetMediaStatus.Duplicate);

  const checked = await expect(
    "AssetBulkUploadCheckResponseDto",
    sdk.checkBulkUpload({
      assetBulkUploadCheckDto: {
        assets: [{ id: "a", checksum: "0".repeat(40) }, { id: "b", checksum: "1".repeat(40) }],
      },
    }),
  );
  assert.deepEqual(checked.results.map((r) => r.action), ["accept", "accept"]);

  const info = await expect("AssetResponseDto", sdk.getAssetInfo({ id: photo.id }));
  assert.equal(info.livePhotoVideoId, video.id);
  assert.equal(info.isFavorite, true);
  assert.equal((await expect("AssetResponseDto", sdk.getAssetInfo({ id: video.id }))).duration, 3200);
  await expect(
    "AssetResponseDto",
    sdk.updateAsset({ id: photo.id, updateAssetDto: { description: "caption" } }),
  );
  const metadata = await expect("AssetMetadataResponseDto[]", sdk.getAssetMetadata({ id: photo.id }));
  assert.deepEqual(metadata.map((m) => [m.key, m.value]), [["photos-sync", { photosAssetId: "ABC" }]]);

  const album = await expect(
    "AlbumResponseDto",
    sdk.createAlbum({ createAlbumDto: { albumName: "Trips / Paris" } }),
  );
  await expect(
    "BulkIdResponseDto[]",
    sdk.addAssetsToAlbum({ id: album.id, bulkIdsDto: { ids: [photo.id, other.id] } }),
  );
  assert.equal((await expect("AlbumResponseDto", sdk.getAlbumInfo({ id: album.id }))).assetCount, 2);
  await expect("AlbumResponseDto[]", sdk.getAllAlbums({}));

  await expect("StackResponseDto", sdk.createStack({ stackCreateDto: { assetIds: [photo.id, other.id] } }));
  await expect("StackResponseDto[]", sdk.searchStacks({ primaryAssetId: photo.id }));
  const found = await expect(
    "SearchResponseDto",
    sdk.searchAssets({ metadataSearchDto: { withExif: true, albumIds: [album.id] } }),
  );
  assert.equal(found.assets.items.length, 2);

  const tags = await expect("TagResponseDto[]", sdk.upsertTags({ tagUpsertDto: { tags: ["Trips/Paris"] } }));
  await expect(
    "TagBulkAssetsResponseDto",
    sdk.bulkTagAssets({ tagBulkAssetsDto: { tagIds: tags.map((t) => t.id), assetIds: [photo.id] } }),
  );
  await expect("AssetResponseDto", sdk.getAssetInfo({ id: photo.id }));

  await expect("QueueResponseDto[]", sdk.getQueues());
  const paused = await expect(
    "QueueResponseDto",
    sdk.updateQueue({ name: sdk.QueueName.ThumbnailGeneration, queueUpdateDto: { isPaused: true } }),
  );
  assert.equal(paused.isPaused, true);

  await sdk.deleteAssets({ assetBulkDeleteDto: { ids: [other.id] } });
  await expect("TrashResponseDto", sdk.restoreAssets({ bulkIdsDto: { ids: [other.id] } }));
  assert.equal(me.isAdmin, true);
  assert.deepEqual(problems, []);
});
