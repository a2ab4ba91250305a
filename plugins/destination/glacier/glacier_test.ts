/**
 * destination.glacier with the real rclone against two S3 servers: s3rver (a real S3 emulator,
 * which has no versioning and no Glacier behaviour) and a small stub that refuses reads of cold
 * objects until they were restored. Glacier's real delay (hours) is collapsed into `thaw()`; real
 * AWS is not reached from CI.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type OptionsOf, optionValues } from "../../../core/plugin/options.ts";
import { destinationSuite, testContext } from "../../../core/plugin/testing/mod.ts";
import { checkSession } from "../../../core/plugin/registry.ts";
import { startGlacierStub } from "../../../tests/s3_glacier_stub.ts";
import { startS3rver } from "../../../tests/s3rver.ts";
import glacier from "./mod.ts";

const CREDENTIALS = {
  "access-key-id": "AKIATEST",
  "secret-access-key": "test-secret-key",
  "encryption-password": "glacier test password",
  "encryption-salt": "glacier test salt",
};

/** The values the host would give the plugin for these settings: declared defaults filled in, each checked. */
const options = (given: Partial<OptionsOf<typeof glacier.options>>) =>
  optionValues(glacier.id, glacier.options, given);

Deno.test("destination.glacier conforms (against the Glacier stub)", async (t) => {
  await using s3 = startGlacierStub();
  s3.versioning = "Enabled";
  await destinationSuite(t, glacier, {
    options: options({ ...CREDENTIALS, "bucket-name": s3.bucket, endpoint: s3.endpoint }),
    backup: { thaw: () => s3.thaw() },
  });
});

/** Options for s3rver, whose fixed key is shorter than any secret the host accepts, so it replaces the checked one. */
function s3rverOptions(
  s3: { bucket: string; endpoint: string },
  given: Partial<OptionsOf<typeof glacier.options>> = {},
) {
  return {
    ...options({ ...CREDENTIALS, "bucket-name": s3.bucket, endpoint: s3.endpoint, transfers: 1, ...given }),
    "access-key-id": "S3RVER",
    "secret-access-key": "S3RVER",
  };
}

Deno.test("destination.glacier refuses a bucket without versioning, where a replaced file would be lost", async () => {
  await using s3 = await startS3rver();
  await using ctx = await testContext();
  const session = await glacier.backup.open(s3rverOptions(s3), ctx);
  await assert.rejects(
    () => session.prepareBackup({ create: false }),
    (e: Error) =>
      (e as { kind?: string }).kind === "config" &&
      /versioning is not on for bucket photos \(it is Unversioned\)/.test(e.message) &&
      /--glacier-versioning off: without versioning a file replaced or deleted/.test(e.message),
  );
});

Deno.test("destination.glacier setup against an endpoint without versioning says so, instead of its 409", async () => {
  // s3rver takes `PUT ?versioning` for CreateBucket and answers BucketAlreadyExists: setup used to
  // stop on that raw error. It still refuses (versioning is required), but says why and what to do.
  await using s3 = await startS3rver();
  await using ctx = await testContext();
  const session = await glacier.backup.open(s3rverOptions(s3), ctx);
  await assert.rejects(
    () => session.prepareBackup({ create: true }),
    (e: Error) =>
      (e as { kind?: string }).kind === "config" &&
      /the endpoint did not turn it on \(it answered: BucketAlreadyExists/.test(e.message) &&
      /--glacier-versioning off/.test(e.message),
  );
  assert.deepEqual(await Array.fromAsync(Deno.readDir(join(s3.dir, s3.bucket))), [], "nothing was written");
});

Deno.test("destination.glacier with versioning off sets up without it and keeps only the latest copy", async () => {
  await using s3 = await startS3rver();
  await using ctx = await testContext();
  const session = await glacier.backup.open(s3rverOptions(s3, { versioning: "off" }), ctx);
  const info = await session.prepareBackup({ create: true });
  assert.equal(info.state, "new");
  assert.equal(info.keeps, "areas", "told as areas (none is ever made): the contract has no 'latest'");
  assert.match(info.description, /versioning off: without versioning a file replaced or deleted/);

  const source = join(ctx.tempDir, "library");
  await Deno.mkdir(join(source, "2024"), { recursive: true });
  await Deno.writeTextFile(join(source, "2024/a.jpg"), "photo a");
  await Deno.writeTextFile(join(source, "b.mov"), "video b");
  assert.equal(
    (await session.backupTree({ source, name: "library", archive: "20250101T000000Z" })).copied,
    2,
  );
  await Deno.remove(join(source, "b.mov"));
  const second = await session.backupTree({ source, name: "library", archive: "20250102T000000Z" });
  assert.deepEqual([second.copied, second.archived], [0, 0], "the deleted file is gone, not archived");
  assert.deepEqual(await session.archives(), []);

  const target = join(ctx.tempDir, "restored");
  const out = await session.restoreTree({ name: "library", target });
  assert.deepEqual([out.files, out.cold], [1, []], "s3rver has no cold reads");
  assert.equal(await Deno.readTextFile(join(target, "2024/a.jpg")), "photo a");
  await assert.rejects(
    () => session.restoreTree({ name: "library", target, asOf: "2025-01-01T12:00:00Z" }),
    /cannot restore as of a time; it keeps only the latest copy/,
  );
});

Deno.test("destination.glacier takes single assets into a bucket without versioning, with a warning", async () => {
  await using s3 = await startS3rver();
  await using ctx = await testContext();
  const session = await glacier.assets.open(s3rverOptions(s3), ctx);
  const file = join(ctx.tempDir, "IMG_1.HEIC");
  await Deno.writeTextFile(file, "heic bytes");
  const group = {
    asset: { id: "a1", added: "2024-05-01T10:00:00Z" },
    files: [{ key: "original", name: "IMG_1.HEIC", path: file, sha1: "abcdef1234567890" }],
  } as unknown as Parameters<typeof session.put>[0];
  const put = await session.put(group);
  assert.deepEqual(put.resources, [
    { key: "original", remoteId: "assets/2024/05/01/IMG_1_abcdef12.HEIC", duplicate: false },
  ]);
  assert.ok(
    ctx.logs.some((l) => /warn bucket photos has no versioning: a cold asset deleted/.test(l)),
    ctx.logs.join("\n"),
  );
});

Deno.test("destination.glacier stores cold, then restores only after asking the archive tier", async () => {
  await using s3 = startGlacierStub();
  await using ctx = await testContext();
  const session = checkSession(
    glacier,
    "backup",
    glacier.backup.capabilities,
    await glacier.backup.open(
      options({ ...CREDENTIALS, "bucket-name": s3.bucket, endpoint: s3.endpoint }),
      ctx,
    ),
  );
  const source = join(ctx.tempDir, "library");
  await Deno.mkdir(join(source, "2024"), { recursive: true });
  await Deno.writeTextFile(join(source, "2024/a.jpg"), "photo a");
  await Deno.writeTextFile(join(source, "b.mov"), "video b");

  assert.equal((await session.prepareBackup({ create: true })).keeps, "versions");
  assert.equal(s3.versioning, "Enabled", "setup turned versioning on");
  await session.backupTree({ source, name: "library", archive: "20250101T000000Z" });
  const classes = [...s3.objects.values()].map((o) => o.storageClass).sort();
  assert.deepEqual(classes, ["DEEP_ARCHIVE", "DEEP_ARCHIVE", "STANDARD"], "data cold, the marker readable");
  assert.deepEqual(await session.archives(), [], "old versions stay in the bucket, not in archive areas");

  // Names and sizes can be checked without reading anything cold.
  const verified = await session.verifyTree({ local: source, name: "library" });
  assert.deepEqual([verified.matching, verified.differences], [2, []]);

  const target = join(ctx.tempDir, "restored");
  const first = await session.restoreTree({ name: "library", target });
  assert.deepEqual(first.cold.sort(), ["current/library/2024/a.jpg", "current/library/b.mov"]);
  assert.equal(first.files, 0);

  await session.warmup!(first.cold);
  assert.equal(s3.restoreRequests.size, 2);
  const waiting = await session.restoreTree({ name: "library", target });
  assert.equal(waiting.cold.length, 2, "still cold until Glacier is done");

  assert.equal(s3.thaw(), 2);
  const done = await session.restoreTree({ name: "library", target });
  assert.deepEqual([done.files, done.cold], [2, []]);
  assert.equal(await Deno.readTextFile(join(target, "2024/a.jpg")), "photo a");
  assert.equal(await Deno.readTextFile(join(target, "b.mov")), "video b");
});

Deno.test("destination.glacier names every missing credential, and refuses settings outside its choices and range", () => {
  // The host checks these before the plugin is opened; the plugin checks none of them again.
  assert.throws(
    () => options({ "bucket-name": "b" }),
    /destination.glacier needs access-key-id, secret-access-key, encryption-password, encryption-salt/,
  );
  const given = { ...CREDENTIALS, "bucket-name": "b" };
  assert.throws(
    () => options({ ...given, "storage-class": "STANDARD" as never }),
    /storage-class must be one of DEEP_ARCHIVE, GLACIER, GLACIER_IR, got "STANDARD"/,
  );
  assert.throws(
    () => options({ ...given, "restore-tier": "Fast" as never }),
    /restore-tier must be one of Bulk, Standard, Expedited/,
  );
  assert.throws(
    () => options({ ...given, "restore-days": 0 }),
    /restore-days must be a whole number from 1 to 365/,
  );
  const values = options(given);
  assert.deepEqual(
    [values.region, values["storage-class"], values["restore-tier"], values["restore-days"]],
    ["us-east-1", "DEEP_ARCHIVE", "Bulk", 7],
  );
});
