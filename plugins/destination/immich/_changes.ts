/**
 * Which assets changed in Immich since a checkpoint (`changes`, two-way sync), in work in
 * proportion to the changes: assets whose `updatedAt` moved (`search/metadata` with `updatedAfter`,
 * every visibility an API key can list, trash included), the members of the tool's albums that
 * changed, and the assets of people that changed. The sync stream would say more, but API keys may
 * not use it on 1.135.3 (403, transcript 12).
 *
 * Exif-only edits made in Immich (caption, location, date) do not move `updatedAt` at once: the
 * re-extraction job that follows moves it a few seconds later (transcript 06). A sync right after
 * such an edit does not see it yet; the next one does, since the job's `updatedAt` is later than
 * the checkpoint. Whether tagging an asset or adding a face in Immich moves its `updatedAt` is not
 * recorded (tags and faces live in their own tables; in transcript 17 the asset's `updatedAt` falls
 * between the face's creation and the person's rename, which metadata extraction could explain as
 * well): the emulator moves it for neither, and such a change may be listed only with a later one.
 * @module
 */
import type { RemoteChanges } from "../../../core/plugin/types.ts";
import type { AlbumSync } from "./_albums.ts";
import type { ImmichClient } from "./_client.ts";

/** What a checkpoint holds: an instant on the server's clock, and what was seen at exactly it. */
interface Checkpoint {
  at: string;
  /** Assets, albums and people last seen with `updatedAt` equal to `at`: not listed again. */
  seen: string[];
}

interface Stamped {
  id: string;
  updatedAt: string;
}

/** Something with an `updatedAt` (asset, album, person) and the assets its change concerns. */
interface Change extends Stamped {
  changed: string[];
}

/** Every visibility an API key can list (`locked` needs an elevated session). */
const VISIBILITIES = ["timeline", "archive", "hidden"];

const EPOCH = "1970-01-01T00:00:00.000Z";

const same = (a: string, b: string) => Date.parse(a) === Date.parse(b);
/** At or after: `updatedAfter` and these comparisons include the instant itself. */
const after = (a: string, b: string) => Date.parse(a) >= Date.parse(b);

export class ChangeFeed {
  constructor(readonly client: ImmichClient, readonly albums: AlbumSync | undefined) {}

  /**
   * The remote ids changed since `checkpoint` (undefined: every asset), and the next checkpoint.
   *
   * The next checkpoint is the newest `updatedAt` seen, but never later than the server's clock
   * when the query began (the `Date` of a ping sent first, whole seconds). An asset changed while
   * the pages are read may be missed by the paging, and the newest `updatedAt` seen may be later
   * than that change; the start of the query is not, so such a change is listed next time. What is
   * listed twice costs a read and is found unchanged.
   */
  async since(checkpoint: string | undefined): Promise<RemoteChanges> {
    const from = parse(checkpoint);
    const start = await this.client.request("GET", "/server/ping", undefined, {
      what: "reading the server's clock",
    });
    const stamped = [
      ...await this.#search({ updatedAfter: from.at }, `changed since ${from.at}`),
      ...await this.#albumMembers(from),
      ...await this.#peopleAssets(from),
    ];
    const fresh = stamped.filter((s) => !(same(s.updatedAt, from.at) && from.seen.includes(s.id)));
    const changed = [...new Set(fresh.flatMap((s) => s.changed))];
    return { changed, checkpoint: JSON.stringify(next(from, stamped, start.date)) };
  }

  /** Every asset matching `filter`, in each visibility, trash included, a page of 1,000 at a time. */
  async #search(filter: Record<string, unknown>, what: string): Promise<Change[]> {
    const found: Change[] = [];
    for (const visibility of VISIBILITIES) {
      for (let page: string | null = "1"; page !== null;) {
        const answer: { assets: { items: Stamped[]; nextPage: string | null } } = await this.client.json(
          "POST",
          "/search/metadata",
          { ...filter, visibility, withDeleted: true, size: 1000, page: Number(page) },
          { what: `listing the ${visibility} assets ${what}` },
        );
        for (const a of answer.assets.items) found.push({ ...a, changed: [a.id] });
        page = answer.assets.nextPage;
      }
    }
    return found;
  }

  /** The members of the tool's albums changed since then (a member added or taken out, a rename). */
  async #albumMembers(from: Checkpoint): Promise<Change[]> {
    if (!this.albums) return [];
    const moved = (await this.albums.managed()).filter((a) => after(a.updatedAt, from.at));
    const found: Change[] = [];
    for (const album of moved) {
      // An album's own GET lists no members on 3.x; the search does on every version. A member
      // taken out is no longer listed: the members seen last time tell it.
      const members = (await this.#search({ albumIds: [album.id] }, `in album ${album.id}`)).map((a) => a.id);
      const key = `${this.albums.stateKey}:album-members:${album.id}`;
      const before = this.albums.state.get<string[]>(key);
      const now = new Set(members);
      const changed = before
        ? [...members.filter((id) => !before.includes(id)), ...before.filter((id) => !now.has(id))]
        : members;
      this.albums.state.set(key, [...now].sort());
      found.push({ ...album, changed });
    }
    return found;
  }

  /** The assets of people renamed (or otherwise changed) since then: their names there changed. */
  async #peopleAssets(from: Checkpoint): Promise<Change[]> {
    const found: Change[] = [];
    for (let page = 1, more = true; more; page++) {
      const answer = await this.client.json<{ people: Stamped[]; hasNextPage: boolean }>(
        "GET",
        `/people?withHidden=true&size=1000&page=${page}`,
        undefined,
        { what: "listing people" },
      );
      for (const person of answer.people.filter((p) => after(p.updatedAt, from.at))) {
        const assets = await this.#search({ personIds: [person.id] }, `of person ${person.id}`);
        found.push({ ...person, changed: assets.map((a) => a.id) });
      }
      more = answer.hasNextPage;
    }
    return found;
  }
}

function parse(checkpoint: string | undefined): Checkpoint {
  if (!checkpoint) return { at: EPOCH, seen: [] };
  const parsed = JSON.parse(checkpoint) as Checkpoint;
  return { at: parsed.at, seen: parsed.seen ?? [] };
}

/** The newest `updatedAt` seen, capped by the server's clock at the start; what was seen at it. */
function next(from: Checkpoint, stamped: Stamped[], serverDate: string | undefined): Checkpoint {
  let at = stamped.reduce((newest, s) => after(newest, s.updatedAt) ? newest : s.updatedAt, from.at);
  if (serverDate) {
    const clock = new Date(Date.parse(serverDate)).toISOString();
    if (!after(clock, at)) at = after(clock, from.at) ? clock : from.at;
  }
  const seen = stamped.filter((s) => same(s.updatedAt, at)).map((s) => s.id);
  const carried = same(at, from.at) ? from.seen : [];
  return { at, seen: [...new Set([...carried, ...seen])] };
}
