/**
 * destination.b2 with the real rclone. B2 itself cannot be reached from CI, so the `remote` option
 * puts the encrypted backup on a local folder or on s3rver instead; the rclone `b2` backend
 * configuration (application key, bucket) is the one path these tests do not run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type OptionsOf, optionValues } from "../../../core/plugin/options.ts";
import { destinationSuite, testContext } from "../../../core/plugin/testing/mod.ts";
import { checkSession } from "../../../core/plugin/registry.ts";
import type { BackupTargetSession } from "../../../core/plugin/types.ts";
import { startS3rver } from "../../../tests/s3rver.ts";
import type { ExportedGroup } from "../../../core/model/plan.ts";
import { type ColdTier, encryptedSize } from "../_rclone/cold.ts";
import b2 from "./mod.ts";

const SECRETS = { "encryption-password": "b2 test password", "encryption-salt": "b2 test salt" };

/** The values the host would give the plugin for these settings: declared defaults filled in, each checked. */
const options = (given: Partial<OptionsOf<typeof b2.options>>) => optionValues(b2.id, b2.options, given);

async function tree(root: string, files: Record<string, string>) {
  for (const [rel, content] of Object.entries(files)) {
    await Deno.mkdir(join(root, rel, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, rel), content);
  }
}

async function read(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string, prefix: string) {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(join(dir, e.name), `${prefix}${e.name}/`);
      else out[prefix + e.name] = await Deno.readTextFile(join(dir, e.name));
    }
  }
  await walk(root, "");
  return out;
}

Deno.test("destination.b2 conforms (over a local folder)", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await destinationSuite(t, b2, { options: options({ ...SECRETS, remote: dir }) });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("destination.b2 names every missing credential, and needs no B2 key with a remote", async () => {
  await using ctx = await testContext();
  // The host refuses to open it without the encryption password and salt (they are required).
  assert.throws(
    () => options({ remote: ctx.tempDir }),
    /destination.b2 needs encryption-password, encryption-salt$/,
  );
  // Without a remote the B2 account is needed too: a rule across options, the plugin's to check.
  await assert.rejects(
    () => b2.backup.open(options({ ...SECRETS, "bucket-name": "x" }), ctx),
    /destination.b2 needs application-key-id, application-key \(or --b2-remote, to keep the backup elsewhere\)/,
  );
  const session = await b2.backup.open(options({ ...SECRETS, remote: ctx.tempDir }), ctx);
  assert.equal((await session.prepareBackup({ create: false })).state, "new");
});

Deno.test("destination.b2 refuses a transfers count the host cannot accept", () => {
  assert.throws(
    () => options({ ...SECRETS, remote: "/tmp/x", transfers: 0 }),
    /destination.b2: transfers must be a whole number from 1 to 64, got 0/,
  );
});

/**
 * `listsFolders: false` for s3rver 3.7.1, whose listings leave out a common prefix that holds only
 * other prefixes, so `archive/` looks empty there (real S3 and B2 list it).
 */
async function roundTrip(session: BackupTargetSession, ctx: { tempDir: string }, listsFolders = true) {
  const source = join(ctx.tempDir, "library");
  await tree(source, { "2024/IMG_1.HEIC": "heic one", "2024/IMG_2.MOV": "mov two", "notes.txt": "n" });
  assert.equal((await session.prepareBackup({ create: false })).state, "new");
  assert.equal((await session.prepareBackup({ create: true })).state, "new");
  assert.equal((await session.prepareBackup({ create: false })).state, "existing");

  const progress: number[] = [];
  const first = await session.backupTree({
    source,
    name: "library",
    archive: "20250101T000000Z",
    onProgress: (p) => progress.push(p.files),
    progressSeconds: 1,
  });
  assert.equal(first.copied, 3);
  assert.ok(progress.length > 0, "progress was reported");

  await Deno.remove(join(source, "2024/IMG_2.MOV"));
  const second = await session.backupTree({ source, name: "library", archive: "20250102T000000Z" });
  assert.deepEqual([second.copied, second.archived], [0, 1]);
  if (listsFolders) assert.deepEqual(await session.archives(), ["20250102T000000Z"]);

  const restored = join(ctx.tempDir, "restored");
  const out = await session.restoreTree({ name: "library", target: restored });
  assert.deepEqual(out.cold, []);
  assert.deepEqual(await read(restored), await read(source));
  const verify = await session.verifyTree({ local: restored, name: "library" });
  assert.deepEqual([verify.matching, verify.differences], [2, []]);

  const gone = join(ctx.tempDir, "gone");
  await session.restoreTree({ name: "library", target: gone, archive: "20250102T000000Z" });
  assert.deepEqual(await read(gone), { "2024/IMG_2.MOV": "mov two" });

  await session.pruneArchive("20250102T000000Z");
  assert.deepEqual(await session.archives(), []);
  await assert.rejects(
    () => session.restoreTree({ name: "library", target: gone, archive: "20250102T000000Z" }),
    /not in the backup/,
  );
}

Deno.test("destination.b2 backs up a tree, keeps what was deleted, restores it byte-identical (local folder)", async () => {
  await using ctx = await testContext();
  const session = checkSession(
    b2,
    "backup",
    b2.backup.capabilities,
    await b2.backup.open(options({ ...SECRETS, remote: join(ctx.tempDir, "remote") }), ctx),
  );
  await roundTrip(session, ctx);
});

Deno.test("destination.b2 does the same over an S3 endpoint (s3rver), despite AWS_CA_BUNDLE", async () => {
  // rclone 1.60's s3 backend fails whenever AWS_CA_BUNDLE is set; the runner removes it.
  if (!Deno.env.get("AWS_CA_BUNDLE")) Deno.env.set("AWS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt");
  await using s3 = await startS3rver();
  await using ctx = await testContext();
  // One transfer at a time: s3rver 3.7.1, under a loaded machine, now and then answers a concurrent
  // upload with an empty object ("sizes differ 7 vs 0"); real S3 and B2 do not.
  const session = checkSession(
    b2,
    "backup",
    b2.backup.capabilities,
    await b2.backup.open(options({ ...SECRETS, remote: s3.remote("backup"), transfers: 1 }), ctx),
  );
  await roundTrip(session, ctx, false);
  // What s3rver stores is encrypted: no plaintext name anywhere in its directory.
  const names: string[] = [];
  for await (const e of Deno.readDir(join(s3.dir, s3.bucket, "backup"))) names.push(e.name);
  assert.ok(names.length > 0);
  assert.ok(names.every((n) => !/current|archive|library|photos-sync/.test(n)), names.join(" "));
});

Deno.test("destination.b2 check() refuses a backup made with another password", async () => {
  await using ctx = await testContext();
  const remote = join(ctx.tempDir, "remote");
  const right = await b2.backup.open(options({ ...SECRETS, remote }), ctx);
  await right.prepareBackup({ create: true });
  const wrong = await b2.backup.open(
    options({ ...SECRETS, "encryption-password": "not the password", remote }),
    ctx,
  );
  await assert.rejects(() => wrong.check!(), /cannot decrypt.*password or salt is wrong/);
  await assert.rejects(
    () => wrong.backupTree!({ source: ctx.tempDir, name: "library", archive: "20250101T000000Z" }),
    /cannot decrypt/,
  );
});

Deno.test("destination.b2 as a cold target: every file readable at once, no restore ever needed", async () => {
  await using ctx = await testContext();
  const base = join(ctx.tempDir, "remote");
  const session = await b2.assets.open(options({ ...SECRETS, remote: base }), ctx) as
    & Awaited<ReturnType<typeof b2.assets.open>>
    & ColdTier;
  await tree(ctx.tempDir, { "IMG_1.HEIC": "heic bytes of one photo" });
  const group = {
    asset: { id: "a1", added: "2024-05-01T10:00:00Z" },
    files: [{
      key: "original",
      name: "IMG_1.HEIC",
      path: join(ctx.tempDir, "IMG_1.HEIC"),
      sha1: "abcdef1234567890",
    }],
  } as unknown as ExportedGroup;
  const [photo] = (await session.put(group)).resources.map((r) => r.remoteId);
  const gone = "assets/2024/05/01/gone_00000000.HEIC";

  const states = await session.coldState([photo, gone]);
  assert.equal(states[gone], null);
  const state = states[photo]!;
  assert.deepEqual(
    [state.storageClass, state.size, state.storedBytes, state.restore],
    ["remote", 23, encryptedSize(23), { state: "readable" }],
  );
  // The object key is the encrypted name at the base, and the file there has exactly the stored size.
  assert.ok(!/IMG|assets/.test(state.objectKey), state.objectKey);
  assert.equal((await Deno.stat(join(base, state.objectKey))).size, state.storedBytes);
  assert.deepEqual(await session.requestRestore([photo, gone], { tier: "Bulk", days: 1 }), {
    [photo]: "not-needed",
    [gone]: "missing",
  });
  assert.deepEqual(await session.estimateRestore([{ storageClass: "B2", storedBytes: 1e12 }], "Bulk"), {
    costUsd: 0,
    hours: 0,
  });
  const local = join(ctx.tempDir, "back.HEIC");
  await session.fetchCold(photo, local);
  assert.equal(await Deno.readTextFile(local), "heic bytes of one photo");
  await assert.rejects(() => session.fetchCold(gone, join(ctx.tempDir, "gone")), /not in the cold tier/);
});
