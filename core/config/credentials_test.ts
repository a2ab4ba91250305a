import assert from "node:assert/strict";
import { subprocessRunner } from "../plugin/context.ts";
import type { DestinationPlugin } from "../plugin/types.ts";
import { opCalls, setOpSignedIn, writeFakeOp, writeFakeSecurity } from "../../tests/fake_tools.ts";
import {
  credentialField,
  credentialStore,
  defaultItemTitle,
  fillCredentials,
  missingCredentialsHelp,
} from "./credentials.ts";
import { Redactor } from "./redact.ts";

const plugin: DestinationPlugin = {
  kind: "destination",
  id: "destination.b2",
  apiVersion: 2,
  version: "1.0.0",
  description: "test",
  options: [
    { name: "bucket-name", type: "string", help: "bucket", credential: true },
    { name: "application-key", type: "string", help: "key", credential: true, secret: true },
    { name: "encryption-password", type: "string", help: "password", credential: true, secret: true },
    { name: "path", type: "string", help: "not a credential" },
  ],
  assets: { capabilities: [], open: () => Promise.reject(new Error("not used")) },
};

async function withBin(fn: (bin: string, env: Record<string, string>) => Promise<void>) {
  const bin = await Deno.makeTempDir();
  try {
    await fn(bin, { PATH: `${bin}:${Deno.env.get("PATH")}` });
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
}

const run = () => subprocessRunner(new Redactor(), new AbortController().signal);

Deno.test("field names in the store are the option names with underscores (the predecessor's names)", () => {
  assert.equal(credentialField("application-key-id"), "application_key_id");
  assert.equal(defaultItemTitle("destination.b2"), "Immich Backup B2");
  assert.equal(defaultItemTitle("glacier"), "Immich Backup Glacier");
});

Deno.test("1Password: missing options are read with op read, registered as secrets, flags still win", async () => {
  await withBin(async (bin, env) => {
    await writeFakeOp(bin, {
      Private: {
        "Immich Backup B2": {
          bucket_name: "my-photos",
          application_key: "K005secretkey",
          encryption_password: "pw1",
        },
      },
    });
    const redactor = new Redactor();
    const store = credentialStore("1password", { run: run(), env });
    const { values, missing } = await fillCredentials(plugin, {
      values: { "encryption-password": "from-flag" },
      store,
      redactor,
    });
    assert.deepEqual(values, {
      "bucket-name": "my-photos",
      "application-key": "K005secretkey",
      "encryption-password": "from-flag",
    });
    assert.deepEqual(missing, []);
    assert.equal(redactor.redact("key K005secretkey"), "key ***");
    assert.equal(redactor.redact("bucket my-photos"), "bucket my-photos", "a bucket name is not a secret");
    const calls = await opCalls(bin);
    assert.deepEqual(calls, [
      "read --no-newline op://Private/Immich Backup B2/bucket_name",
      "read --no-newline op://Private/Immich Backup B2/application_key",
    ]);
  });
});

Deno.test("1Password: a field the item lacks is reported missing with where to add it", async () => {
  await withBin(async (bin, env) => {
    await writeFakeOp(bin, { Private: { "Immich Backup B2": { bucket_name: "b" } } });
    const store = credentialStore("1password", { run: run(), env });
    const { missing } = await fillCredentials(plugin, { values: {}, store, redactor: new Redactor() });
    assert.deepEqual(missing, ["application-key", "encryption-password"]);
    const help = missingCredentialsHelp(plugin, { missing, store });
    assert.match(
      help,
      /encryption-password: add a field "encryption_password" to the 1Password item "Immich Backup B2" in vault "Private", or set PHOTOS_SYNC_B2_ENCRYPTION_PASSWORD \(or PHOTOS_SYNC_B2_ENCRYPTION_PASSWORD_FILE naming a file\)/,
    );
  });
});

Deno.test("1Password: a missing item, a missing vault and a signed-out CLI are clear errors", async () => {
  await withBin(async (bin, env) => {
    await writeFakeOp(bin, { Private: {} });
    const missingItem = credentialStore("1password", { run: run(), env, item: "Nope" });
    await assert.rejects(
      () => missingItem.read("x"),
      /no item "Nope" in the 1Password vault "Private".*--setup/,
    );
    const missingVault = credentialStore("1password", { run: run(), env, vault: "Work" });
    await assert.rejects(() => missingVault.read("x"), /no 1Password vault "Work"/);
    await setOpSignedIn(bin, false);
    await assert.rejects(
      () => credentialStore("1password", { run: run(), env }).read("x"),
      (e: Error) => (e as { kind?: string }).kind === "config" && /not signed in.*op signin/.test(e.message),
    );
  });
});

Deno.test("1Password: no op on PATH says how to install it or pick another store", async () => {
  await withBin(async (bin) => {
    const store = credentialStore("1password", { run: run(), env: { PATH: bin } });
    await assert.rejects(() => store.read("x"), /op\) is not installed.*BACKUP_CREDENTIALS=keychain or env/);
  });
});

Deno.test("1Password: setup creates the item from a template on stdin, never with secrets in arguments", async () => {
  await withBin(async (bin, env) => {
    await writeFakeOp(bin, { Private: {} });
    const store = credentialStore("1password", { run: run(), env, item: "Immich Backup Glacier" });
    await store.create!({ bucket_name: "cold", encryption_password: "Zx9-generated_pw" });
    assert.equal(await store.read("encryption_password"), "Zx9-generated_pw");
    for (const call of await opCalls(bin)) assert.ok(!call.includes("Zx9-generated_pw"), call);
    const template = JSON.parse(await Deno.readTextFile(`${bin}/op-created.json`));
    assert.equal(template.title, "Immich Backup Glacier");
    const types = Object.fromEntries(
      template.fields.map((f: { label: string; type: string }) => [f.label, f.type]),
    );
    assert.deepEqual(types, { bucket_name: "STRING", encryption_password: "CONCEALED" });
  });
});

Deno.test("Keychain (through a fake security tool): reads a generic password per field, absent is missing", async () => {
  // The real Keychain cannot be reached on Linux; this checks the arguments and the exit codes.
  await withBin(async (bin, env) => {
    await writeFakeSecurity(bin, { "Immich Backup B2": { encryption_password: "kc-secret" } });
    const store = credentialStore("keychain", { run: run(), env });
    assert.equal(await store.read("encryption_password"), "kc-secret");
    assert.equal(await store.read("bucket_name"), undefined);
    assert.match(
      store.howToAdd("bucket_name"),
      /security add-generic-password -s "Immich Backup B2" -a bucket_name -w/,
    );
  });
});

Deno.test("the environment store adds nothing and points at the variables", async () => {
  const store = credentialStore("env", { run: run() });
  const { values, missing } = await fillCredentials(plugin, {
    values: { "bucket-name": "b" },
    store,
    redactor: new Redactor(),
  });
  assert.deepEqual(values, { "bucket-name": "b" });
  assert.deepEqual(missing, ["application-key", "encryption-password"]);
  assert.equal(
    missingCredentialsHelp(plugin, { missing: ["bucket-name"], store }),
    "bucket-name: set PHOTOS_SYNC_B2_BUCKET_NAME or --b2-bucket-name",
  );
});
