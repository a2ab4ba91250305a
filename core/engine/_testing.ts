/** Fakes shared by the engine's tests: a source over real temp files and an in-memory destination. */
import { join } from "node:path";
import type { Asset } from "../model/asset.ts";
import type {
  AssetChanges,
  AssetDestinationSession,
  ExportRequest,
  Presence,
  SourceSession,
} from "../plugin/types.ts";
import { Tracker } from "../tracker/mod.ts";
import type { ImportOptions } from "./import_run.ts";

/** Bytes that pass the content check as a JPEG (its magic number, then `text`). */
export function fakeJpeg(text: string): Uint8Array {
  return new Uint8Array([0xff, 0xd8, 0xff, ...new TextEncoder().encode(text)]);
}

/** Bytes that pass the content check for a file with this extension (a magic number, then `text`). */
export function fakeMedia(extension: string, text: string): Uint8Array {
  const ext = extension.toLowerCase();
  if (["jpg", "jpeg"].includes(ext)) return fakeJpeg(text);
  const magic = ["mov", "mp4", "heic"].includes(ext)
    ? "\0\0\0\x14ftypqt  "
    : ["aae", "xmp"].includes(ext) && !text.startsWith("<")
    ? "<?xml "
    : "";
  return new TextEncoder().encode(magic + text);
}

/** A source over real files in a temp dir; `exportHook` may throw to simulate failures. */
export async function fakeSource(dir: string, count: number, exportHook?: (a: Asset, call: number) => void) {
  const assets: Asset[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `f${i}.jpg`);
    await Deno.writeFile(path, fakeJpeg(`bytes of ${i}`));
    assets.push({
      id: `id-${i}`,
      kind: "photo",
      filename: `IMG_${i}.JPG`,
      favorite: false,
      hidden: false,
      trashed: false,
      keywords: [],
      albums: [],
      edited: false,
      referenced: false,
      subtypes: [],
      modified: "2024-01-01T00:00:00.000Z",
      resources: [{ role: "original", filename: `IMG_${i}.JPG`, path, present: true }],
    });
  }
  const calls = new Map<string, number>();
  const session: SourceSession = {
    key: "fake",
    async *list() {
      yield* assets;
    },
    export(req: ExportRequest) {
      const n = (calls.get(req.asset.id) ?? 0) + 1;
      calls.set(req.asset.id, n);
      exportHook?.(req.asset, n);
      return Promise.resolve(req.plan.resources.map((r) => ({ key: r.key, path: r.resource.path! })));
    },
    close: async () => {},
  };
  return { assets, session, calls };
}

/** An in-memory destination with every capability sync and cleanup use. */
export function fakeDestination(hook?: (id: string) => void) {
  const stored = new Map<string, string>();
  const updates: { remoteId: string; changes: AssetChanges }[] = [];
  const trash = new Set<string>();
  const deleted = new Set<string>();
  let inFlight = 0;
  let maxInFlight = 0;
  const session: AssetDestinationSession = {
    key: "fake-dest",
    async put(group) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 2));
        hook?.(group.asset.id);
        return {
          resources: group.files.map((f) => {
            const duplicate = stored.has(f.sha1);
            stored.set(f.sha1, group.asset.id);
            return { key: f.key, remoteId: `r-${f.sha1.slice(0, 8)}`, duplicate };
          }),
        };
      } finally {
        inFlight--;
      }
    },
    update(remoteId, changes) {
      updates.push({ remoteId, changes });
      return Promise.resolve();
    },
    remove(remoteIds) {
      for (const id of remoteIds) trash.add(id);
      return Promise.resolve();
    },
    presence(remoteIds) {
      const out: Record<string, Presence> = {};
      for (const id of remoteIds) out[id] = deleted.has(id) ? "gone" : trash.has(id) ? "trashed" : "present";
      return Promise.resolve(out);
    },
    close: async () => {},
  };
  return { session, stored, updates, trash, deleted, maxInFlight: () => maxInFlight };
}

export async function harness(
  fn: (
    h: { dir: string; tracker: Tracker; base: <T extends Partial<ImportOptions>>(o: T) => ImportOptions & T },
  ) => Promise<void>,
) {
  const dir = await Deno.makeTempDir();
  const tracker = Tracker.open(join(dir, "t.db"));
  try {
    await fn({
      dir,
      tracker,
      base: <T extends Partial<ImportOptions>>(o: T) => ({
        sourceId: "fake",
        destinationId: "fake-dest",
        handlers: [],
        tracker,
        tempRoot: dir,
        dryRun: false,
        concurrency: 3,
        ...o,
      } as ImportOptions & T),
    });
  } finally {
    tracker.close();
    await Deno.remove(dir, { recursive: true });
  }
}
