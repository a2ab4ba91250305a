/**
 * `backup --check`: the prerequisites of a backup (credentials, BACKUP_IMMICH_PATH, rclone and
 * the destination), each OK, WARN or FAIL; any FAIL exits 1. Changes nothing.
 *
 * @example
 * ```ts
 * await backupCheck(cli);
 * ```
 * @module
 */
import { credentialField, missingCredentialsHelp } from "../config/credentials.ts";
import { DATA_SOURCE } from "../engine/backup_sources.ts";
import { messageOf } from "../plugin/errors.ts";
import type { DestinationPlugin } from "../plugin/types.ts";
import type { BackupCli } from "./backup_context.ts";
import { ExitCode } from "./command_context.ts";

type Status = "OK" | "WARN" | "FAIL";
type Add = (check: string, status: Status, detail: string) => void;

export async function backupCheck(cli: BackupCli): Promise<void> {
  const rows: { check: string; status: Status; detail: string }[] = [];
  const add: Add = (check, status, detail) => {
    rows.push({ check, status, detail });
    if (!cli.flags.json) cli.output.out(`[${status}] ${check}: ${detail}`);
  };
  const plugin = cli.plugin();
  await checkCredentials(cli, plugin, add);
  await checkImmichPath(cli, add);
  await checkDestination(cli, add);
  const failed = rows.some((r) => r.status === "FAIL");
  if (cli.flags.json) {
    cli.output.out(JSON.stringify({ type: "check", ok: !failed, checks: rows }, null, 2));
  } else cli.output.out(failed ? "some prerequisites are missing" : "all prerequisites are met");
  if (failed) throw new ExitCode(1);
}

async function checkCredentials(cli: BackupCli, plugin: DestinationPlugin, add: Add): Promise<void> {
  try {
    const { missing, store } = await cli.session.destinationOptions(plugin);
    const found = plugin.options.filter((o) => o.credential && !missing.includes(o.name))
      .map((o) => credentialField(o.name));
    if (missing.length === 0) add("credentials", "OK", `${found.join(", ")} (${store.description})`);
    else {
      // Whether the destination needs them depends on its other options; the destination line says.
      const have = found.join(", ") || "none";
      add(
        "credentials",
        "WARN",
        `found ${have}; not set: ${missingCredentialsHelp(plugin, { missing, store })}`,
      );
    }
  } catch (e) {
    add("credentials", "FAIL", messageOf(e));
  }
}

async function checkImmichPath(cli: BackupCli, add: Add): Promise<void> {
  try {
    const sources = await cli.sources();
    const immich = sources.filter((s) => s.name !== DATA_SOURCE).map((s) => s.name);
    add("BACKUP_IMMICH_PATH", "OK", `${cli.core["backup-immich-path"]}: ${immich.join(", ")}`);
  } catch (e) {
    add("BACKUP_IMMICH_PATH", "FAIL", messageOf(e));
  }
}

async function checkDestination(cli: BackupCli, add: Add): Promise<void> {
  try {
    // Opening runs the destination's own checks first (rclone present and recent enough).
    const { session } = await cli.open();
    const about = await session.check!();
    add("destination", "OK", `${about.description}${about.version ? ` (${about.version})` : ""}`);
    const info = await session.prepareBackup({ create: false });
    if (info.keeps === "areas" && info.state === "existing") {
      const areas = await session.archives();
      add(
        "archive areas",
        "OK",
        areas.length === 0 ? "none" : `${areas.length}: ${areas[0]} … ${areas.at(-1)}`,
      );
    }
  } catch (e) {
    add("destination", "FAIL", messageOf(e));
  }
}
