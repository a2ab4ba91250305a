/**
 * `photos-sync scan`: shows what the source sees, one line per asset (with `--json`, one JSON
 * object per asset per line: the asset with every fact plus the `plan` the handlers make of it),
 * then a summary by kind, subtype, flag and missing file. Reads the source only; changes nothing.
 *
 * ```
 * EC19EA1A-FC91-449C-8925-B13D863E2EDB  photo  2025-05-26 09:27:06 -05:00  IMG_3582.HEIC  live portrait hdr
 * 9CD04458-A18F-4F92-8361-0AE85A72FAFF  photo  2021-04-28 09:29:53 -05:00  IMG_4347.HEIC  live  missing: original, motion
 * ```
 * @module
 */
import type { Command } from "./parser.ts";
import { type Asset, SUBTYPES } from "../model/asset.ts";
import type { Plan } from "../model/plan.ts";
import { planAsset } from "../engine/import_run.ts";
import { addCoreFlags, addPluginFlags, flagValues } from "./flags.ts";
import type { CommandContext } from "./command_context.ts";
import { Session } from "./session.ts";

export function registerScan(program: Command, ctx: CommandContext): void {
  const cmd = program.command("scan")
    .description("list every asset the source sees, with its facts and planned resources")
    .option("--json", "one JSON object per asset per line, then a summary object");
  addCoreFlags(cmd, ["source", "library", "edited", "bursts", "hidden-visibility"]);
  addPluginFlags(cmd, ctx.deps.plugins.filter((p) => p.kind === "source"), {
    choice: ctx.chosen,
    roles: ["source"],
  });
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
      const info = { id: source.id, ...source.session.info };
      if (!opts.json) ctx.output.out(header(info));
      const tally = new Tally();
      for await (const asset of source.session.list()) {
        const plan = planAsset(asset, handlers, { policy });
        tally.add(asset, plan);
        ctx.output.out(opts.json ? JSON.stringify({ ...asset, plan }) : assetLine(asset));
      }
      if (opts.json) ctx.output.out(JSON.stringify({ summary: tally.summary(), source: info }));
      else for (const line of tally.lines()) ctx.output.out(line);
    } finally {
      await session.close();
    }
  });
}

function header(info: Record<string, unknown>): string {
  const about = [info.release, info.modelVersion ? `model ${info.modelVersion}` : undefined]
    .filter(Boolean).join(", ");
  return `${info.id}${info.library ? `: ${info.library}` : ""}${about ? ` (${about})` : ""}`;
}

/** `2025-05-26 09:27:06 -05:00`: the capture time as the camera's clock showed it. */
function localTime(asset: Asset): string {
  const captured = asset.captured;
  if (!captured) return "undated";
  const offset = captured.offsetSeconds;
  if (offset === undefined) return `${captured.utc.slice(0, 10)} ${captured.utc.slice(11, 19)} UTC`;
  const local = new Date(Date.parse(captured.utc) + offset * 1000).toISOString();
  const sign = offset < 0 ? "-" : "+";
  const minutes = Math.round(Math.abs(offset) / 60);
  const zone = `${sign}${String(Math.floor(minutes / 60)).padStart(2, "0")}:${
    String(minutes % 60).padStart(2, "0")
  }`;
  return `${local.slice(0, 10)} ${local.slice(11, 19)} ${zone}`;
}

/** Facts worth a word on the line, beyond the subtypes. */
function flags(asset: Asset): string[] {
  const out: string[] = [];
  if (asset.favorite) out.push("favorite");
  if (asset.hidden) out.push("hidden");
  if (asset.trashed) out.push("trashed");
  if (asset.edited) out.push("edited");
  if (asset.referenced) out.push("referenced");
  if (asset.burst && !asset.burst.picked) out.push("unpicked");
  if (asset.sharing?.sharedAlbum) out.push("shared-album");
  if (asset.sharing?.sharedLibrary) out.push("shared-library");
  if (asset.cloud?.synced && !asset.cloud.originalLocal) out.push("icloud-only");
  return out;
}

function assetLine(asset: Asset): string {
  const tags = [...asset.subtypes, ...flags(asset)];
  const missing = asset.resources.filter((r) => !r.present).map((r) => r.role);
  return `${asset.id}  ${asset.kind}  ${localTime(asset)}  ${asset.filename}` +
    (tags.length ? `  ${tags.join(" ")}` : "") +
    (missing.length ? `  missing: ${[...new Set(missing)].join(", ")}` : "");
}

const FLAGS = [
  "favorite",
  "hidden",
  "trashed",
  "edited",
  "referenced",
  "unpicked",
  "shared-album",
  "shared-library",
  "icloud-only",
] as const;

/** Counts by kind, subtype, flag and missing file, as the listing goes. */
class Tally {
  total = 0;
  readonly kinds: Record<string, number> = { photo: 0, video: 0 };
  readonly subtypes: Record<string, number> = Object.fromEntries(SUBTYPES.map((s) => [s, 0]));
  readonly flags: Record<string, number> = Object.fromEntries(FLAGS.map((f) => [f, 0]));
  readonly missing: Record<string, number> = {};
  incomplete = 0;

  add(asset: Asset, plan: Plan): void {
    this.total++;
    this.kinds[asset.kind] = (this.kinds[asset.kind] ?? 0) + 1;
    for (const subtype of asset.subtypes) this.subtypes[subtype] = (this.subtypes[subtype] ?? 0) + 1;
    for (const flag of flags(asset)) this.flags[flag]++;
    for (const resource of asset.resources) {
      if (!resource.present) this.missing[resource.role] = (this.missing[resource.role] ?? 0) + 1;
    }
    if (plan.incomplete.length > 0) this.incomplete++;
  }

  summary() {
    return {
      total: this.total,
      kinds: this.kinds,
      subtypes: this.subtypes,
      flags: this.flags,
      missing: this.missing,
      incomplete: this.incomplete,
    };
  }

  lines(): string[] {
    const list = (counts: Record<string, number>) =>
      Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", ") || "none";
    const missing = Object.values(this.missing).reduce((a, b) => a + b, 0);
    return [
      `${this.total} assets: ${this.kinds.photo} photos, ${this.kinds.video} videos`,
      `  subtypes: ${list(this.subtypes)}`,
      `  flags: ${list(this.flags)}`,
      `  missing files: ${missing}${missing ? ` (${list(this.missing)})` : ""}`,
      `  incomplete plans: ${this.incomplete}`,
    ];
  }
}
