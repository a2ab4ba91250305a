/**
 * `photos-sync forget-destination`: after a destination was emptied on purpose (a new Immich
 * account, a reformatted disk), forget what the tracker recorded there so the next import sends
 * everything again. Behind `--yes`; nothing at the destination or in the library is touched.
 * @module
 */
import type { Command } from "./parser.ts";
import { ConfigError } from "../plugin/errors.ts";
import { addCoreFlags, addPluginFlags } from "./flags.ts";
import type { CommandContext } from "./command_context.ts";
import { openRunSession } from "./run.ts";

interface ForgetFlags {
  yes?: boolean;
}

export function registerForget(program: Command, ctx: CommandContext): void {
  const cmd = program.command("forget-destination")
    .description("forget what was imported to a destination, so the next import sends everything again")
    .option("--yes", "confirm: drop the tracker's records of this destination");
  addCoreFlags(cmd, ["to"]);
  addPluginFlags(cmd, ctx.deps.plugins.filter((p) => p.kind === "destination"), {
    choice: ctx.chosen,
    roles: ["to"],
  });
  cmd.action(async (flags: ForgetFlags, command: Command) => {
    const session = await openRunSession(ctx, command, false);
    try {
      // Opened without its start-up check: the point is a destination that looks empty or gone.
      const key = session.rememberedDestinationKey() ??
        (await session.openAssetDestination(String(session.config.core.to))).session.key;
      const n = session.tracker.transferCount(key);
      if (!flags.yes) {
        throw new ConfigError(
          `this would forget ${n} assets recorded at ${key}, and the next import would send them all ` +
            "again; run again with --yes to do it",
        );
      }
      const forgotten = session.tracker.forgetDestination(key);
      ctx.output.out(`forgot ${forgotten} assets recorded at ${key}; the next import sends them again`);
    } finally {
      await session.close();
    }
  });
}
