/**
 * The Photos-import layout (`--folder-layout photos-import`): each asset's files are named so that
 * dragging the folder into Photos (or File > Import) rebuilds the asset. Photos pairs files of one
 * base name in one folder: a Live Photo's still and video (which also share their content
 * identifier, already in the original files), a RAW and its JPEG, a photo and its `.AAE` edit data
 * and `.xmp` sidecar. So an asset owns its base names in its folder: any other file under one of
 * them, of whatever extension, would be paired with it, and is a clash that gives every file of the
 * group the asset id's first 8 characters as a suffix.
 *
 * Every file Photos imports on its own (the original and, when it travels, the edit's render, which
 * has its own base name `<stem>_edited`) gets an XMP sidecar `<stem>.xmp` with the asset's
 * metadata. A sidecar the asset brought along under that name travels as `<stem>_source.xmp`, so
 * Photos reads ours. Names are compared ignoring case, as macOS does.
 * @module
 */
import { baseName, dirName, joinPath } from "../../../core/model/path.ts";
import type { ExportedFile, ExportedGroup } from "../../../core/model/plan.ts";
import type { AssetChanges } from "../../../core/plugin/types.ts";
import { PermanentError } from "../../../core/plugin/errors.ts";
import { existingSha1, writeTextVerified } from "./_files.ts";
import { fittingName, stemOf, withSuffix } from "./_names.ts";
import { xmpAssetId, type XmpFacts, xmpFacts, xmpPacket } from "../../../core/model/xmp.ts";

/** Where one file of a group goes, and whether it is there already (same bytes). */
export interface Placement {
  file: ExportedFile;
  target: string;
  there: boolean;
}

/** A sidecar to write: `same` when it is there with this text, `ours` when an older text of ours is. */
export interface SidecarPlacement {
  target: string;
  text: string;
  state: "none" | "same" | "ours";
}

export interface GroupLayout {
  files: Placement[];
  sidecars: SidecarPlacement[];
}

/** The group's names before any suffix: files as planned, and one sidecar per base name Photos shows. */
function plannedNames(group: ExportedGroup): { files: string[]; sidecars: string[] } {
  const hidden = new Set(group.plan.resources.filter((r) => r.hidden).map((r) => r.key));
  const shown = group.files.filter((f) => !hidden.has(f.key)).map((f) => stemOf(f.name));
  const sidecars = [...new Set(shown)].map((stem) => `${stem}.xmp`);
  const taken = new Set(sidecars.map((s) => s.toLowerCase()));
  const files = group.files.map((f) =>
    taken.has(f.name.toLowerCase()) ? withSuffix(f.name, "source") : f.name
  );
  return { files, sidecars };
}

/** The folder's entries by lower-case name (none when it does not exist yet). */
async function entriesOf(folder: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  try {
    for await (const entry of Deno.readDir(folder)) out.set(entry.name.toLowerCase(), entry.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out;
}

/**
 * The layout under these names if the folder holds nothing of another asset under the group's base
 * names; undefined when it does (another file, other bytes, or a sidecar not of this asset).
 */
async function claim(
  folder: string,
  entries: Map<string, string>,
  group: ExportedGroup,
  names: { files: string[]; sidecars: string[] },
): Promise<GroupLayout | undefined> {
  const text = xmpPacket(group.asset);
  const layout: GroupLayout = {
    files: group.files.map((file, i) => ({ file, target: joinPath(folder, names.files[i]), there: false })),
    sidecars: names.sidecars.map((name) => ({ target: joinPath(folder, name), text, state: "none" })),
  };
  const byName = new Map<string, Placement | SidecarPlacement>();
  for (const [i, name] of names.files.entries()) byName.set(name.toLowerCase(), layout.files[i]);
  for (const [i, name] of names.sidecars.entries()) byName.set(name.toLowerCase(), layout.sidecars[i]);
  const stems = new Set([...byName.keys()].map(stemOf));
  for (const [lower, actual] of entries) {
    if (lower.startsWith(".") || !stems.has(stemOf(lower))) continue; // a temporary copy, or not ours
    const mine = byName.get(lower);
    if (!mine) return undefined;
    const path = joinPath(folder, actual);
    mine.target = path; // the name as the disk spells it
    if ("file" in mine) {
      if ((await existingSha1(path)) !== mine.file.sha1) return undefined;
      mine.there = true;
    } else {
      // Unreadable (a folder of that name, say) is not ours either.
      const found = await Deno.readTextFile(path).catch(() => "");
      if (xmpAssetId(found) !== group.asset.id) return undefined;
      mine.state = found === text ? "same" : "ours";
    }
  }
  return layout;
}

/**
 * Where each file of the group goes in `folder`, under its own base names when the folder has them
 * free (or holds this very asset there), else all suffixed with the asset id.
 */
export async function photosImportLayout(folder: string, group: ExportedGroup): Promise<GroupLayout> {
  const entries = await entriesOf(folder);
  const planned = plannedNames(group);
  const suffix = group.asset.id.replace(/[^A-Za-z0-9]/g, "").slice(0, 8);
  for (const add of [(n: string) => n, (n: string) => withSuffix(n, suffix)]) {
    const names = {
      files: planned.files.map(add).map(fittingName),
      sidecars: planned.sidecars.map(add).map(fittingName),
    };
    const layout = await claim(folder, entries, group, names);
    if (layout) return layout;
  }
  const suffixed = joinPath(folder, fittingName(withSuffix(group.files[0].name, suffix)));
  throw new PermanentError(
    `${suffixed} and the names beside it are taken by another asset's files; move them away and run again`,
  );
}

/**
 * Writes a change into every sidecar of the asset that `file` (a path the destination returned)
 * belongs to, in its folder: the sidecar beside it is read back, changed, and the new text written
 * to each sidecar of ours naming the same asset (the original's and the render's carry the same
 * facts, as at import). No sidecar of ours beside the file (removed by hand, or the file is one
 * the asset brought along): nothing to change, and nothing is said, as Photos would not read one.
 */
export async function rewriteSidecars(file: string, change: (facts: XmpFacts) => XmpFacts): Promise<void> {
  const folder = dirName(file);
  const own = await Deno.readTextFile(joinPath(folder, `${stemOf(baseName(file))}.xmp`)).catch(() =>
    undefined
  );
  const facts = own === undefined ? undefined : xmpFacts(own);
  if (!facts) return;
  const text = xmpPacket(change(facts));
  for await (const entry of Deno.readDir(folder)) {
    if (!entry.isFile || !entry.name.toLowerCase().endsWith(".xmp") || entry.name.startsWith(".")) continue;
    const path = joinPath(folder, entry.name);
    const found = await Deno.readTextFile(path).catch(() => "");
    if (found !== text && xmpAssetId(found) === facts.id) await writeTextVerified(path, text);
  }
}

/** The facts with `update`'s changes applied (a null clears the field). */
export function withChanges(facts: XmpFacts, changes: AssetChanges): XmpFacts {
  const next: XmpFacts = { ...facts };
  if (changes.favorite !== undefined) next.favorite = changes.favorite;
  if (changes.hidden !== undefined) next.hidden = changes.hidden;
  if (changes.captured !== undefined) next.captured = changes.captured;
  if (changes.keywords !== undefined) next.keywords = changes.keywords;
  for (const field of ["title", "caption", "location", "rating"] as const) {
    const value = changes[field];
    if (value === null) delete next[field];
    else if (value !== undefined) (next as Record<string, unknown>)[field] = value;
  }
  return next;
}
