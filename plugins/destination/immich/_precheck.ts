/**
 * Checking files against Immich before sending them: the checksums of the uploads in flight go
 * to `bulk-upload-check` together, and into an account that holds nothing yet small files skip
 * the question until the first duplicate turns it on.
 * @module
 */
import { RetryableError } from "../../../core/plugin/errors.ts";
import type { ImmichClient } from "./_client.ts";
import { GroupCommit } from "./_group_commit.ts";

export interface CheckResult {
  id: string;
  action: "accept" | "reject";
  reason?: "duplicate" | "unsupported-format";
  assetId?: string;
  isTrashed?: boolean;
}

export class Precheck {
  readonly #checks: GroupCommit<string, CheckResult>;
  #expecting?: Promise<boolean>;
  #duplicatesSeen = false;

  constructor(readonly client: ImmichClient) {
    this.#checks = new GroupCommit((sums: string[]) => this.#bulkCheck(sums), { maxBatch: 1000 });
  }

  /** What Immich says of a file with this SHA-1, asked together with the other uploads in flight. */
  check(sha1: string): Promise<CheckResult> {
    return this.#checks.add(sha1);
  }

  /** Duplicates turned up unannounced: check before uploading from now on. */
  sawDuplicate(): void {
    this.#duplicatesSeen = true;
  }

  /**
   * Whether checking small files before uploading them can pay off. An account with no assets has
   * nothing to match, so a first import into it skips the check round trip per asset: the server
   * still recognises a duplicate by the checksum header (it answers before reading the body), and
   * the first duplicate seen turns checking on for the rest of the session. Big files are always
   * checked first: sending one for nothing costs far more than the question.
   */
  expectDuplicates(): Promise<boolean> {
    if (this.#duplicatesSeen) return Promise.resolve(true);
    this.#expecting ??= this.client.json<{ assets: { items: unknown[] } }>(
      "POST",
      "/search/metadata",
      { size: 1, withDeleted: true },
      { what: "looking whether the account holds assets" },
    ).then((found) => found.assets.items.length > 0);
    this.#expecting.catch(() => (this.#expecting = undefined));
    return this.#expecting;
  }

  async #bulkCheck(sums: string[]): Promise<(CheckResult | Error)[]> {
    const answer = await this.client.json<{ results: CheckResult[] }>(
      "POST",
      "/assets/bulk-upload-check",
      { assets: sums.map((checksum, i) => ({ id: String(i), checksum })) },
      { what: `checking ${sums.length} file${sums.length > 1 ? "s" : ""} against Immich` },
    );
    const byId = new Map(answer.results.map((r) => [r.id, r]));
    return sums.map((_, i) =>
      byId.get(String(i)) ?? new RetryableError(`Immich's bulk-upload-check answer left out a checksum`)
    );
  }
}
