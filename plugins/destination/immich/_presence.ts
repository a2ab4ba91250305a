/**
 * Whether assets are still in Immich, in its trash, or gone, for `cleanup` and `sync`.
 * @module
 */
import type { Presence } from "../../../core/plugin/types.ts";
import type { ImmichClient } from "./_client.ts";

export class PresenceCheck {
  #index?: Promise<Map<string, boolean>>;

  constructor(readonly client: ImmichClient) {}

  /**
   * Whether each asset is still in Immich, in its trash, or gone. Many ids are answered from one
   * listing of the account (`/search/metadata`, a page of 1,000 per request, each visibility, trash
   * included); every id the listing lacks, and every id when there are few, is then asked for on its
   * own, so "gone" always rests on the server's own "not found". (Immich answers that also for an
   * asset in the locked folder, which an API key may not look into: see `--hidden-visibility`.)
   */
  async of(remoteIds: string[]): Promise<Record<string, Presence>> {
    const result: Record<string, Presence> = {};
    const unique = [...new Set(remoteIds)];
    if (unique.length > 50) {
      const index = await this.#listing();
      for (const id of unique) {
        const trashed = index.get(id);
        if (trashed !== undefined) result[id] = trashed ? "trashed" : "present";
      }
    }
    const queue = unique.filter((id) => !(id in result));
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const answer = await this.client.request<{ isTrashed?: boolean }>(
          "GET",
          `/assets/${id}`,
          undefined,
          {
            what: `looking up asset ${id}`,
            accept: [400, 404],
          },
        );
        result[id] = answer.status !== 200 ? "gone" : answer.body.isTrashed ? "trashed" : "present";
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
    return result;
  }

  /** Every asset of the account, id to whether it is trashed; read once per session. */
  #listing(): Promise<Map<string, boolean>> {
    this.#index ??= (async () => {
      const index = new Map<string, boolean>();
      for (const visibility of ["timeline", "archive", "hidden"]) {
        for (let page: string | null = "1"; page !== null;) {
          const found: { assets: { items: { id: string; isTrashed: boolean }[]; nextPage: string | null } } =
            await this.client.json("POST", "/search/metadata", {
              visibility,
              withDeleted: true,
              size: 1000,
              page: Number(page),
            }, { what: `listing the account's ${visibility} assets` });
          for (const a of found.assets.items) index.set(a.id, a.isTrashed);
          page = found.assets.nextPage;
        }
      }
      return index;
    })();
    this.#index.catch(() => (this.#index = undefined));
    return this.#index;
  }
}
