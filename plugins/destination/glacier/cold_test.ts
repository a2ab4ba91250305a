/**
 * The cold tier per file of destination.glacier against the Glacier stub, which follows AWS's
 * documented answers (HeadObject `x-amz-restore`, RestoreObject 202/409/200, GET refused with
 * InvalidObjectState until restored) with a restore delay the tests collapse; and against s3rver,
 * which checks the request signatures.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PermanentError, RetryableError } from "../../../core/plugin/errors.ts";
import { optionValues } from "../../../core/plugin/options.ts";
import { testContext } from "../../../core/plugin/testing/mod.ts";
import type { ExportedGroup } from "../../../core/model/plan.ts";
import { startGlacierStub } from "../../../tests/s3_glacier_stub.ts";
import { startS3rver } from "../../../tests/s3rver.ts";
import { encryptedSize } from "../_rclone/cold.ts";
import { restoreEstimate } from "./_prices.ts";
import { S3Objects, signV4 } from "./_s3.ts";
import glacier from "./mod.ts";

const CREDENTIALS = {
  "access-key-id": "AKIATEST",
  "secret-access-key": "test-secret-key",
  "encryption-password": "glacier test password",
  "encryption-salt": "glacier test salt",
};

async function group(dir: string): Promise<ExportedGroup> {
  await Deno.writeTextFile(join(dir, "IMG_1.HEIC"), "heic bytes of one photo");
  await Deno.writeTextFile(join(dir, "IMG_1.MOV"), "the motion video");
  return {
    asset: { id: "a1", added: "2024-05-01T10:00:00Z" },
    files: [
      { key: "original", name: "IMG_1.HEIC", path: join(dir, "IMG_1.HEIC"), sha1: "abcdef1234567890" },
      { key: "motion", name: "IMG_1.MOV", path: join(dir, "IMG_1.MOV"), sha1: "0123456789abcdef" },
    ],
  } as unknown as ExportedGroup;
}

async function openOn(
  s3: { bucket: string; endpoint: string },
  ctx: Awaited<ReturnType<typeof testContext>>,
  more = {},
  raw: Record<string, string> = {},
) {
  const options = optionValues(glacier.id, glacier.options, {
    ...CREDENTIALS,
    "bucket-name": s3.bucket,
    endpoint: s3.endpoint,
    ...more,
  });
  return await glacier.assets.open({ ...options, ...raw }, ctx) as
    & Awaited<ReturnType<typeof glacier.assets.open>>
    & import("../_rclone/cold.ts").ColdTier;
}

Deno.test("a cold asset: archived, refused on GET, restoring after the request, readable once thawed, cold again after expiry", async () => {
  await using s3 = startGlacierStub();
  s3.versioning = "Enabled";
  await using ctx = await testContext();
  const session = await openOn(s3, ctx);
  const { resources } = await session.put(await group(ctx.tempDir));
  const [photo, video] = resources.map((r) => r.remoteId);

  const before = await session.coldState([photo, video, "assets/2024/05/01/gone_00000000.HEIC"]);
  assert.equal(before["assets/2024/05/01/gone_00000000.HEIC"], null);
  const state = before[photo]!;
  assert.deepEqual(
    [state.storageClass, state.size, state.storedBytes, state.restore],
    ["DEEP_ARCHIVE", 23, encryptedSize(23), { state: "archived" }],
  );
  assert.ok(
    state.objectKey.startsWith("photos-sync/") && !/IMG|assets/.test(state.objectKey),
    state.objectKey,
  );
  assert.equal(s3.objects.get(state.objectKey)?.body.length, state.storedBytes);

  const raw = new S3Objects(ctx.http, {
    bucket: s3.bucket,
    region: "us-east-1",
    accessKeyId: "x",
    secretAccessKey: "y",
    endpoint: s3.endpoint,
  });
  const refused = await raw.request("GET", state.objectKey);
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /<Code>InvalidObjectState<\/Code>/);

  await assert.rejects(
    () => session.requestRestore([photo], { tier: "Expedited", days: 1 }),
    /S3 answered 400 InvalidArgument/,
    "Deep Archive has no Expedited tier",
  );
  assert.deepEqual(await session.requestRestore([photo, video], { tier: "Bulk", days: 3 }), {
    [photo]: "requested",
    [video]: "requested",
  });
  assert.deepEqual(s3.restoreAsked.get(state.objectKey), { tier: "Bulk", days: 3 });
  assert.deepEqual((await session.coldState([photo]))[photo]!.restore, { state: "restoring" });
  assert.deepEqual(await session.requestRestore([photo], { tier: "Bulk", days: 3 }), {
    [photo]: "in-progress",
  });
  assert.equal((await raw.request("GET", state.objectKey)).status, 403, "still cold while restoring");
  const local = join(ctx.tempDir, "back.HEIC");
  await assert.rejects(() => session.fetchCold(photo, local), RetryableError, "not readable before the thaw");

  assert.equal(s3.thaw(), 2);
  const restored = (await session.coldState([photo]))[photo]!.restore;
  assert.equal(restored.state, "restored");
  const until = Date.parse((restored as { until: string }).until);
  assert.ok(Math.abs(until - (Date.now() + 3 * 864e5)) < 5_000, "readable for the 3 days asked");
  const read = await raw.request("GET", state.objectKey);
  assert.equal(read.status, 200);
  assert.equal((await read.arrayBuffer()).byteLength, state.storedBytes);
  await session.fetchCold(photo, local);
  assert.equal(await Deno.readTextFile(local), "heic bytes of one photo", "read back decrypted");
  await assert.rejects(
    () => session.fetchCold("assets/2024/05/01/gone_00000000.HEIC", join(ctx.tempDir, "gone")),
    PermanentError,
  );

  assert.deepEqual(await session.requestRestore([photo], { tier: "Bulk", days: 10 }), {
    [photo]: "extended",
  });
  const later = (await session.coldState([photo]))[photo]!.restore as { until: string };
  assert.ok(Date.parse(later.until) > until + 6 * 864e5, "a new request moves the expiry");

  assert.equal(s3.expire(), 2);
  assert.deepEqual((await session.coldState([video]))[video]!.restore, { state: "archived" });
});

Deno.test("Flexible Retrieval's Expedited tier is ready after its minutes, Bulk only after its hours, without thaw()", async () => {
  let skew = 0; // the stub's clock runs this far ahead of the real one
  await using s3 = startGlacierStub({ clock: () => Date.now() + skew });
  s3.versioning = "Enabled";
  await using ctx = await testContext();
  const session = await openOn(s3, ctx, { "storage-class": "GLACIER" });
  const [photo] = (await session.put(await group(ctx.tempDir))).resources.map((r) => r.remoteId);
  const state = async () => (await session.coldState([photo]))[photo]!.restore.state;
  assert.equal((await session.coldState([photo]))[photo]!.storageClass, "GLACIER");
  assert.deepEqual(await session.requestRestore([photo], { tier: "Expedited", days: 1 }), {
    [photo]: "requested",
  });
  assert.equal(await state(), "restoring");
  skew = 5 * 60_000; // AWS: Expedited typically within 1-5 minutes
  assert.equal(await state(), "restored");
  skew += 864e5; // the 1 day asked for is over
  assert.equal(await state(), "archived");
  assert.deepEqual(await session.requestRestore([photo], { tier: "Bulk", days: 1 }), {
    [photo]: "requested",
  });
  skew += 11 * 3_600_000;
  assert.equal(await state(), "restoring", "Bulk: 5-12 hours");
  skew += 3_600_000;
  assert.equal(await state(), "restored");
});

Deno.test("the session's restore estimate adds up the price list per archive class; other classes are free", async () => {
  await using s3 = startGlacierStub();
  await using ctx = await testContext();
  const session = await openOn(s3, ctx);
  const GB = 2 ** 30;
  const objects = [
    { storageClass: "DEEP_ARCHIVE", storedBytes: 40 * GB },
    { storageClass: "DEEP_ARCHIVE", storedBytes: 10 * GB },
    { storageClass: "GLACIER", storedBytes: 100 * GB },
    { storageClass: "GLACIER_IR", storedBytes: 500 * GB },
  ];
  const deep = restoreEstimate({
    storageClass: "DEEP_ARCHIVE",
    tier: "Standard",
    bytes: 50 * GB,
    objects: 2,
  });
  const flexible = restoreEstimate({
    storageClass: "GLACIER",
    tier: "Standard",
    bytes: 100 * GB,
    objects: 1,
  });
  const e = await session.estimateRestore(objects, "Standard");
  assert.ok(Math.abs(e.costUsd - (deep.costUsd + flexible.costUsd)) < 1e-9, String(e.costUsd));
  assert.equal(e.hours, 12, "the longest wait of the two");
  assert.deepEqual(await session.estimateRestore([objects[3]], "Bulk"), { costUsd: 0, hours: 0 });
  await assert.rejects(() => session.estimateRestore(objects, "Expedited"), /DEEP_ARCHIVE has no Expedited/);
});

Deno.test("Instant Retrieval needs no restore; a missing object says so", async () => {
  await using s3 = startGlacierStub();
  s3.versioning = "Enabled";
  await using ctx = await testContext();
  const session = await openOn(s3, ctx, { "storage-class": "GLACIER_IR" });
  const [photo] = (await session.put(await group(ctx.tempDir))).resources.map((r) => r.remoteId);
  assert.deepEqual((await session.coldState([photo]))[photo]!.restore, { state: "readable" });
  const gone = "assets/2024/05/01/gone_00000000.HEIC";
  assert.deepEqual(await session.requestRestore([photo, gone], { tier: "Standard", days: 1 }), {
    [photo]: "not-needed",
    [gone]: "missing",
  });
});

Deno.test("the per-file state is read from s3rver too (an S3 that is not the stub)", async () => {
  await using s3 = await startS3rver();
  await using ctx = await testContext();
  const session = await openOn(s3, ctx, { transfers: 1 }, {
    // s3rver's fixed key is shorter than any secret the host accepts, so it replaces the checked one.
    "access-key-id": "S3RVER",
    "secret-access-key": "S3RVER",
  });
  const [photo] = (await session.put(await group(ctx.tempDir))).resources.map((r) => r.remoteId);
  const state = (await session.coldState([photo]))[photo]!;
  assert.deepEqual([state.size, state.storedBytes], [23, encryptedSize(23)]);
});

Deno.test("requests are signed as AWS's published SigV4 examples are (s3rver does not check V4 signatures)", async () => {
  // "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk".
  const account = {
    region: "us-east-1",
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  };
  const date = new Date("2013-05-24T00:00:00Z");
  const sign = async (query: string) =>
    (await signV4(
      { method: "GET", url: new URL("https://examplebucket.s3.amazonaws.com/"), query, body: "" },
      account,
      date,
    ))
      .authorization.split("Signature=")[1];
  assert.equal(await sign("lifecycle="), "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  assert.equal(
    await sign("max-keys=2&prefix=J"),
    "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
  );
});
