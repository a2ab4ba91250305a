/**
 * Commands of the product whose work is not in this build yet. They are registered so that
 * `--help` shows the whole tool, and they say so plainly and exit 2 instead of pretending.
 * @module
 */
import type { Command } from "commander";
import { ConfigError } from "../plugin/errors.ts";
import type { CommandContext } from "./mod.ts";

const PENDING: [name: string, description: string][] = [
  ["backup", "encrypted offsite backup of Immich and the tracker through rclone"],
];

export function registerPending(program: Command, _ctx: CommandContext): void {
  for (const [name, description] of PENDING) {
    program.command(name).description(`${description} (not available in this build yet)`)
      .allowUnknownOption().allowExcessArguments()
      .action(() => {
        throw new ConfigError(
          `"${name}" is not available in this build of photos-sync yet; nothing was done`,
        );
      });
  }
}
