/**
 * `backup --setup`: prepares a destination step by step: credentials (creating the 1Password item
 * with a generated encryption password and salt when there is none), the destination itself (a
 * marker proves the password with a test write and read; Glacier gets versioning), and the
 * tracker record. Setting up again only checks what is there.
 *
 * @example
 * ```ts
 * await backupSetup(cli);
 * ```
 * @module
 */
import { credentialField, CredentialItemMissing, type CredentialStore } from "../config/credentials.ts";
import { ConfigError, errorKind } from "../plugin/errors.ts";
import type { DestinationPlugin } from "../plugin/types.ts";
import { BackupStore } from "../tracker/backup.ts";
import type { BackupCli } from "./backup_context.ts";

export async function backupSetup(cli: BackupCli): Promise<void> {
  const { output } = cli;
  const plugin = cli.plugin();
  const store = cli.session.credentialStore(plugin);
  output.out(`1. credentials for ${plugin.id} from ${store.description}`);
  const missing = await credentials(cli, plugin, store);
  if (missing === "declined") return;
  output.out(missing.length === 0 ? "   all credentials found" : `   not set: ${missing.join(", ")}`);
  output.out("2. destination");
  // The destination knows which credentials it needs (a `remote` override needs no bucket key).
  const { session, row } = await cli.open().catch((e) => {
    if (errorKind(e) === "config" && /encryption-(password|salt)/.test(e.message)) {
      throw new ConfigError(
        `${e.message}. For the encryption password and salt choose two long random values (e.g. ` +
          "`openssl rand -base64 32`, twice) and keep them safe: losing them means losing the backup",
      );
    }
    throw e;
  });
  // Setting up is idempotent: an existing backup is only checked (password, versioning).
  const info = await session.prepareBackup({ create: true });
  output.out(
    `   ${info.description}: ${
      info.state === "new"
        ? "marked as this tool's backup (test write and read back: OK)"
        : "holds a backup readable with this password"
    }${info.keeps === "versions" ? "; bucket versioning is on" : ""}`,
  );
  output.out("3. tracker");
  new BackupStore(cli.session.tracker).saveDestination(row);
  output.out(`   destination ${row.name} recorded`);
  output.out(
    "Ready. Keep the encryption password and salt somewhere safe besides this machine: without them the backup " +
      "cannot be read by anyone, including you.",
  );
}

/**
 * The credential options still missing, after creating the store's item when there is none and
 * the user agrees; `declined` when they did not.
 */
async function credentials(
  cli: BackupCli,
  plugin: DestinationPlugin,
  store: CredentialStore,
): Promise<string[] | "declined"> {
  try {
    return (await cli.session.destinationOptions(plugin)).missing;
  } catch (e) {
    if (!(e instanceof CredentialItemMissing) || !store.create) throw e;
    const values = cli.session.config.pluginOptions(plugin);
    if (!cli.flags.yes) {
      const answer = await cli.ask(
        `Create ${store.description} with a new encryption password and salt? [Y/n] `,
      );
      if (answer === null) throw new ConfigError(`${e.message}; or confirm with --yes`);
      if (answer !== "" && !/^y(es)?$/i.test(answer)) {
        cli.output.out("nothing was created");
        return "declined";
      }
    }
    const fields: Record<string, string> = {};
    for (const spec of plugin.options.filter((o) => o.credential)) {
      const given = values[spec.name];
      if (typeof given === "string" && given !== "") fields[credentialField(spec.name)] = given;
    }
    fields.encryption_password ??= randomSecret();
    fields.encryption_salt ??= randomSecret();
    for (const v of Object.values(fields)) cli.session.config.redactor.add(v);
    await store.create(fields);
    cli.output.out("   created it, with a generated encryption password and salt");
    return (await cli.session.destinationOptions(plugin)).missing;
  }
}

/** 32 random bytes, base64url: the encryption password or salt that setup generates. */
function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
