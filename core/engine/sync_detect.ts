/**
 * The detection stage of `sync`: which assets either side changed, at a cost in proportion to the
 * changes. The destination names what changed there since its checkpoint (`changes`); Photos'
 * side is found while the import lists the library: an asset whose stamp (a hash of its
 * modification date, file sizes and raw field values as listed) is the one stored when Photos last
 * matched the agreed values is unchanged, at one number compared; any other is
 * compared field by field with what both sides last agreed on (no request, no file read). An asset
 * whose files changed (a new edit, a replaced original: a planned file that did not reach the
 * destination, or one of another size) is put again, so the new render goes up and is stacked on
 * top, the original kept. A source with a change history (PhotoKit) narrows Photos' side further:
 * only the assets it names since the token saved at the last complete sync are looked at.
 * @module
 */
import type { Asset } from "../model/asset.ts";
import { errorKind } from "../plugin/errors.ts";
import {
  canonicalJson,
  keptOnly,
  sameValue,
  type SideFields,
  SYNCED_FIELDS,
  type SyncedField,
} from "../model/synced.ts";
import type { TransferState } from "../tracker/mod.ts";
import { planAsset } from "./import_plan.ts";
import { photosFields } from "./sync_apply.ts";
import { AlbumsSeen } from "./sync_albums.ts";
import { agreedTextOf, keptBy, type SyncRun } from "./sync_types.ts";

/** The assets the destination says changed since its checkpoint, and the checkpoint to save after. */
export async function remoteChanges(run: SyncRun): Promise<{ assets: Set<string>; checkpoint?: string }> {
  const { destination } = run.options;
  if (!destination.changes || !destination.read) return { assets: new Set() };
  const since = run.store.checkpoint(run.ids.destination, "remote");
  const { changed, checkpoint } = await destination.changes(since);
  // The first two-way sync starts the feed: what the import sent is what both sides agree on, and
  // reading every asset back once would cost a request per asset.
  if (since === undefined) return { assets: new Set(), checkpoint };
  const owners = run.store.assetsOf(run.ids, changed);
  return { assets: new Set(owners.values()), checkpoint };
}

/** Where the fields the destination kept at the last complete sync are noted (see {@link keptText}). */
export const KEPT_SIDE = "kept";

/** The fields the destination keeps, as noted with the checkpoints; `*`: every field. */
export function keptText(run: SyncRun): string {
  return keptBy(run)?.join() ?? "*";
}

/** Where the source's history token is kept: a checkpoint per source and destination. */
export function historySide(source: string): string {
  return `history:${source}`;
}

/**
 * What the source's change history says changed in Photos since the token saved at the last
 * complete sync: `changed` undefined means every listed asset is compared (no history, no token
 * yet, a token the source lost track of, or a history that failed to answer). The token is asked
 * for before the listing, so what changes while the run lists falls in the next window.
 */
export async function photosHistory(run: SyncRun): Promise<{ changed?: Set<string>; token?: string }> {
  const { source } = run.options;
  if (!source.history) return {};
  const since = run.store.checkpoint(run.ids.destination, historySide(run.ids.source));
  try {
    const { changed, token } = await source.history(since);
    // The destination keeps other fields than at the last complete sync (an option switched): what
    // it keeps now and was not agreed is found only by comparing every asset, not only those changed.
    const keptThen = run.store.checkpoint(run.ids.destination, KEPT_SIDE);
    if (since === undefined || changed === "all" || keptThen !== keptText(run)) return { token };
    return { changed: new Set(changed), token };
  } catch (e) {
    if (errorKind(e) === "fatal" || errorKind(e) === "config") throw e;
    return {}; // the comparison finds the changes without it; the old token stays for the next run
  }
}

/** Collects, while the import lists, the assets with something to reconcile or files to send again. */
export class ChangeCollector {
  readonly candidates: Asset[] = [];
  /** The listing's stamp of each candidate, recorded with its agreed values once reconciled. */
  readonly stamps = new Map<string, number>();
  /**
   * Assets compared field by field and found unchanged, with their stamps to store; and their agreed
   * values where those hold a field the destination no longer keeps, to store without it.
   */
  readonly unchanged: [assetId: string, stamp: number | null, agreed?: SideFields][] = [];
  /** Assets the listing held (not in Recently Deleted), for the deletion stage. */
  readonly seen = new Set<string>();
  /** The albums the listing showed, for renames. */
  readonly albums: AlbumsSeen;
  /**
   * Which fields the source reads and the destination keeps, hashed (the stamps' seed): a source
   * reading others, or a destination keeping others (an option switched), compares every asset again.
   */
  readonly #fieldsRead: number;
  /** The agreed values to store again of the asset last compared (see {@link unchanged}). */
  #pruned: SideFields | undefined;

  /**
   * @param history The assets Photos' change history names, when it narrows the comparison: any
   * other is left alone unless the destination changed it or a write into Photos waits for it.
   */
  constructor(
    readonly run: SyncRun,
    readonly remote: Set<string>,
    readonly resend: Set<string>,
    readonly history?: Set<string>,
  ) {
    this.albums = new AlbumsSeen(run.options.destination.albumsPerAsset === true);
    const read = (run.options.sourceFields?.read ?? SYNCED_FIELDS).join();
    // A destination that does not say what it keeps leaves the seed as it was before it could.
    const kept = keptBy(run);
    this.#fieldsRead = hash53(kept ? `${read}/${kept.join()}` : read) % 2 ** 32;
  }

  listed(asset: Asset, state: TransferState | undefined): void {
    if (!asset.trashed) this.seen.add(asset.id);
    if (state?.status !== "imported") return;
    if (!asset.trashed && !state.remoteGone) this.albums.note(asset);
    const remote = this.remote.has(asset.id);
    // Taken for deleted at the destination: only what the destination says now can bring it back.
    if (state.remoteGone && !remote) return;
    // Photos' history names what changed since the last complete sync. An asset without a stamp
    // (left in conflict, or not compared since its import) has no agreed state Photos matched: compared.
    const named = !this.history || this.history.has(asset.id) || state.syncStamp === null;
    if (!named && !remote && !this.run.pending.has(asset.id)) return;
    // The listing shows what it showed when Photos last matched the agreed values: nothing to compare.
    const stamp = listingStamp(asset, this.#fieldsRead);
    if (!remote && stamp !== undefined && stamp === state.syncStamp && !this.run.pending.has(asset.id)) {
      return;
    }
    if (this.filesChanged(asset, state)) this.resend.add(asset.id);
    if (asset.trashed) return;
    this.#pruned = undefined;
    if (remote || this.photosChanged(asset)) {
      this.candidates.push(asset);
      if (stamp !== undefined) this.stamps.set(asset.id, stamp);
    } else if (this.resend.has(asset.id)) return;
    else if (this.#pruned) this.unchanged.push([asset.id, stamp ?? null, this.#pruned]);
    else if (stamp !== undefined) this.unchanged.push([asset.id, stamp]);
  }

  /**
   * Whether Photos' values differ from the agreed ones, or a field read and kept by the destination
   * has none agreed yet (an option switched on: it was never sent).
   */
  photosChanged(asset: Asset): boolean {
    const stored = agreedTextOf(this.run, asset.id);
    if (stored === undefined) return true;
    const now = photosFields(this.run, asset);
    // Stored canonically: equal texts, equal values (the common case, at no parse).
    if (canonicalJson(now) === stored) return false;
    const parsed = JSON.parse(stored) as SideFields;
    const base = keptOnly(parsed, keptBy(this.run));
    const changed = (Object.keys(now) as SyncedField[]).some((f) => !(f in base) || !same(f, now, base));
    // Agreed values of a field no longer kept (an option switched off) are dropped, so they are not
    // taken for agreed once it is kept again: what changed meanwhile was synced neither way.
    if (!changed && Object.keys(base).length < Object.keys(parsed).length) this.#pruned = base;
    return changed;
  }

  /** Only for an asset Photos modified since it was sent: a planned file missing or resized there. */
  filesChanged(asset: Asset, state: TransferState): boolean {
    if (!asset.modified || !state.sourceModifiedAt || asset.modified === state.sourceModifiedAt) return false;
    const { options, ids, store } = this.run;
    let planned;
    try {
      planned = planAsset(asset, options.handlers, { policy: options.policy }).resources;
    } catch {
      return false; // a plan that fails now fails at import too, with its reason recorded there
    }
    const sent = new Map(store.resources(ids, asset.id).map((r) => [r.key, r]));
    return planned.some((p) => {
      const was = sent.get(p.key);
      return !was || (p.resource.size !== undefined && p.resource.size !== was.size);
    });
  }
}

function same(field: SyncedField, a: SideFields, b: SideFields): boolean {
  return sameValue(field, a[field] as never, b[field] as never);
}

/**
 * A hash of what the listing shows of an asset that its synced fields and files come from: its
 * modification date, each file's role, size and presence, and the raw value of every synced field
 * (no normalising, sorting or JSON: cheaper than the fields themselves), so a change is seen even
 * where Photos does not move the modification date (a keyword or person renamed, an album joined).
 * Each value is fed to the hash as it is (no text is built, no number printed): a tenth of a no-op
 * sync's own work at 100,000 assets was building that text. Undefined without a modification
 * date: such an asset is compared every time.
 */
export function listingStamp(asset: Asset, seed: number): number | undefined {
  if (asset.modified === undefined) return undefined;
  const { captured, location } = asset;
  const h = new Hash53(seed);
  h.text(asset.modified);
  h.number((asset.favorite ? 1 : 0) + (asset.hidden ? 2 : 0));
  h.number(asset.rating);
  h.text(captured?.utc);
  h.number(captured?.offsetSeconds);
  h.number(location?.latitude);
  h.number(location?.longitude);
  h.text(asset.title);
  h.text(asset.caption);
  h.number(asset.resources.length);
  for (const r of asset.resources) {
    h.text(r.role);
    h.number(r.size);
    h.number(r.present ? 1 : 0);
  }
  h.number(asset.keywords.length);
  for (const k of asset.keywords) h.text(k);
  const people = asset.people ?? [];
  h.number(people.length);
  for (const p of people) h.text(p.name);
  h.number(asset.albums.length);
  for (const a of asset.albums) {
    h.text(a.id);
    h.number(a.shared ? 1 : 0);
  }
  return h.value();
}

/** The bits of a float, for the hash (a view on one shared buffer: no allocation per number). */
const FLOAT = new Float64Array(1);
const FLOAT_WORDS = new Uint32Array(FLOAT.buffer);

/**
 * A 53-bit hash (two 32-bit multiply-xor lanes, mixed): exact in a JS number and an SQLite integer.
 * Two UTF-16 units of a text are taken at a time, half the multiplications of one at a time; every
 * value ends with its length or kind, so values cannot run into each other ("ab" + "c" is not
 * "a" + "bc") and an absent value differs from an empty or zero one.
 */
class Hash53 {
  #h1: number;
  #h2: number;

  constructor(seed = 0) {
    this.#h1 = 0xdeadbeef ^ seed;
    this.#h2 = 0x41c6ce57 ^ seed;
  }

  #word(c: number): void {
    this.#h1 = Math.imul(this.#h1 ^ c, 2654435761);
    this.#h2 = Math.imul(this.#h2 ^ c, 1597334677);
  }

  text(text: string | null | undefined): void {
    if (text === undefined || text === null) return this.#word(0x7fff0001);
    for (let i = 0; i < text.length; i += 2) {
      this.#word(text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)); // NaN past the end: 0
    }
    this.#word(0x7ffe0000 ^ text.length);
  }

  number(n: number | null | undefined): void {
    if (n === undefined || n === null) return this.#word(0x7fff0002);
    FLOAT[0] = n;
    this.#word(FLOAT_WORDS[0]);
    this.#word(FLOAT_WORDS[1]);
  }

  value(): number {
    const h1 = Math.imul(this.#h1 ^ (this.#h1 >>> 16), 2246822507) ^
      Math.imul(this.#h2 ^ (this.#h2 >>> 13), 3266489909);
    const h2 = Math.imul(this.#h2 ^ (this.#h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0);
  }
}

/** The hash of one text. */
function hash53(text: string, seed = 0): number {
  const h = new Hash53(seed);
  h.text(text);
  return h.value();
}
