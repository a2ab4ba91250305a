/** Hostile cases: secrets given where `ps` or the shell history would show them, or too short to mask. */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { HostileCase, World } from "../_hostile.ts";

/** The world's import, sent to an Immich server nobody listens on (nothing may be reached). */
const toImmich = (w: World) => ["import", "--home", w.home, "--library", w.library, "--to", "immich"];
const NOBODY = { IMMICH_URL: "http://127.0.0.1:9" };

let denoDir: Promise<string> | undefined;
/** `schedule install` with HOME moved into the world, so a regression cannot touch the real user's jobs. */
async function scheduleInstall(
  w: World,
  env: string,
): Promise<{ args: string[]; env: Record<string, string> }> {
  await Deno.writeTextFile(join(w.home, ".env"), env, { mode: 0o600 });
  denoDir ??= new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" }).output()
    .then((o) => JSON.parse(new TextDecoder().decode(o.stdout)).denoDir);
  // HOME moves, the module cache must not (a fresh cache would download every package again).
  return {
    args: ["--home", w.home, "schedule", "install"],
    env: { HOME: join(w.dir, "user"), DENO_DIR: await denoDir },
  };
}

const noJobWritten = (_: unknown, w: World) => {
  assert.throws(() => Deno.statSync(join(w.dir, "user", ".config")), Deno.errors.NotFound);
  assert.throws(() => Deno.statSync(join(w.home, "bin")), Deno.errors.NotFound);
};

export const CASES: HostileCase[] = [
  {
    name: "an Immich API key given as a flag",
    setup: (w) => ({ args: [...toImmich(w), "--immich-api-key", "key-from-the-command-line"], env: NOBODY }),
    code: 2,
    firstLine: /--immich-api-key would show the secret in `ps`.*IMMICH_API_KEY_FILE or --immich-api-key-file/,
    check: (r) => assert.doesNotMatch(r.stderr + r.stdout, /key-from-the-command-line/),
  },
  {
    name: "a backup encryption password given as a flag",
    setup: (w) => ({
      args: ["backup", "--home", w.home, "--b2-encryption-password", "password-from-the-command-line"],
    }),
    code: 2,
    firstLine: /--b2-encryption-password would show the secret.*PHOTOS_SYNC_B2_ENCRYPTION_PASSWORD/,
  },
  {
    name: "a secret flag on a folder import, which needs no secret at all",
    setup: (w) => ({ args: ["import", ...w.run, "--immich-admin-api-key=admin-key-0123456789"] }),
    code: 2,
    firstLine: /--immich-admin-api-key would show the secret/,
  },
  {
    name: "an API key too short to mask",
    setup: (w) => ({ args: toImmich(w), env: { ...NOBODY, IMMICH_API_KEY: "a" } }),
    code: 2,
    firstLine: /IMMICH_API_KEY: api-key is 1 characters long; a secret needs at least 8/,
    // A one-letter key masked as *** would garble every "a" of the message.
    check: (r) => assert.doesNotMatch(r.stderr, /\*\*\*/),
  },
  {
    name: "an API key file that is not there",
    setup: (w) => ({
      args: toImmich(w),
      env: { ...NOBODY, IMMICH_API_KEY_FILE: join(w.dir, "no-such-key") },
    }),
    code: 2,
    firstLine: /IMMICH_API_KEY_FILE names .*no-such-key, which cannot be read/,
  },
  {
    name: "an API key file that is empty",
    async setup(w) {
      const file = join(w.dir, "empty-key");
      await Deno.writeTextFile(file, "");
      return { args: [...toImmich(w), "--immich-api-key-file", file], env: NOBODY };
    },
    code: 2,
    firstLine: /--immich-api-key-file names .*empty-key, which is empty; put the secret in it/,
  },
  {
    name: "schedule install when .env names no library",
    fresh: true,
    setup: (w) => scheduleInstall(w, "PHOTOS_SYNC_TO=folder\n"),
    code: 2,
    firstLine: /the background sync would fail: .*\.env names no library; add PHOTOS_SYNC_LIBRARY=/,
    check: noJobWritten,
  },
  {
    name: "schedule install when .env names no destination",
    fresh: true,
    setup: (w) => scheduleInstall(w, `PHOTOS_SYNC_LIBRARY=${w.library}\n`),
    code: 2,
    firstLine: /the background sync would fail: .*the destination immich \(PHOTOS_SYNC_TO\) needs: url/,
    check: noJobWritten,
  },
  {
    // The jobs run with what the last import remembered, so the check counts it too.
    name: "schedule install with no .env after an import accepts the remembered library and folder",
    async setup(w) {
      const call = await scheduleInstall(w, "");
      return { ...call, args: [...call.args, "--dry-run"] };
    },
    code: 0,
    firstLine: /./,
    unchanged: ["library", "destination"],
    check: noJobWritten,
  },
  {
    name: "a backup encryption password in .env too short to mask",
    async setup(w) {
      const env = "BACKUP_CREDENTIALS=env\nPHOTOS_SYNC_B2_ENCRYPTION_PASSWORD=abc\n";
      await Deno.writeTextFile(join(w.home, ".env"), env, { mode: 0o600 });
      return { args: ["backup", "--home", w.home] };
    },
    code: 2,
    firstLine: /PHOTOS_SYNC_B2_ENCRYPTION_PASSWORD: encryption-password is 3 characters long/,
  },
  {
    name: "an API key file that is a directory",
    setup: (w) => ({ args: toImmich(w), env: { ...NOBODY, IMMICH_API_KEY_FILE: w.dir } }),
    code: 2,
    firstLine: /IMMICH_API_KEY_FILE names .*, which cannot be read \(Is a directory/,
  },
  {
    name: "a Glacier access key given as --flag=value",
    setup: (w) => ({
      args: ["backup", "--home", w.home, "--to", "glacier", "--glacier-access-key-id=AKIA0123456789"],
    }),
    code: 2,
    firstLine: /--glacier-access-key-id would show the secret.*--glacier-access-key-id-file/,
    check: (r) => assert.doesNotMatch(r.stderr, /AKIA0123456789/),
  },
];
