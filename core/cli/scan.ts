/**
 * `photos-sync scan`: lists what the source sees, one line per asset (one JSON object per line with
 * `--json`), then a summary by kind and subtype. Reads the source only; changes nothing.
 * @module
 */
import type { Command } from "commander";
import { planAsset } from "../engine/import_run.ts";
import { addCoreFlags, addPluginFlags, flagValues } from "./flags.ts";
import type { CommandContext } from "./mod.ts";
import { Session } from "./session.ts";

export function registerScan(program: Command, ctx: CommandContext): void {
  const cmd = program.command("scan")
    .description("list every asset the source sees, with its facts and planned resources")
    .option("--json", "one JSON object per asset per line, then a summary object");
  addCoreFlags(cmd, ["source", "library", "edited", "bursts", "hidden-visibility"]);
  addPluginFlags(cmd, ctx.deps.plugins.filter((p) => p.kind === "source"));
  cmd.action(async (opts: { json?: boolean }, command: Command) => {
    const session = await Session.open({
      plugins: ctx.deps.plugins,
      output: ctx.output,
      flags: flagValues(command),
      env: ctx.deps.env,
      command: "scan",
    });
    ctx.setRedactor(session.config.redactor);
    try {
      const source = await session.openSource();
      const handlers = session.handlers();
      const policy = session.policy();
      const counts: Record<string, number> = {};
      let total = 0;
      for await (const asset of source.session.list()) {
        total++;
        for (const key of [asset.kind, ...asset.subtypes]) counts[key] = (counts[key] ?? 0) + 1;
        const plan = planAsset(asset, handlers, { policy });
        if (opts.json) ctx.output.out(JSON.stringify({ ...asset, plan }));
        else {
          const tags = [...asset.subtypes, asset.favorite && "favorite", asset.hidden && "hidden"].filter(
            Boolean,
          );
          const missing = asset.resources.filter((r) => !r.present).map((r) => r.role);
          ctx.output.out(
            `${asset.id}  ${asset.kind}  ${asset.captured?.utc ?? "undated"}  ${asset.filename}` +
              (tags.length ? `  [${tags.join(", ")}]` : "") +
              (missing.length ? `  missing: ${missing.join(", ")}` : ""),
          );
        }
      }
      if (opts.json) ctx.output.out(JSON.stringify({ summary: { total, ...counts } }));
      else {
        ctx.output.out(
          `${total} assets: ` + Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(", "),
        );
      }
    } finally {
      await session.close();
    }
  });
}
