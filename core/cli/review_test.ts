import assert from "node:assert/strict";
import { join } from "node:path";
import type { Asset } from "../model/asset.ts";
import { problemsByReason } from "../server/problems.ts";
import { Tracker } from "../tracker/mod.ts";
import { reviewGroups } from "./review.ts";

// Beside review, not in the server's tests: a server test importing the CLI made core/server and core/cli a cycle.
const gone = (dir: string, file: string) =>
  `original of ${file}: ${dir}/${file} is gone from ${dir}; it was moved or deleted since the folder was listed.`;

Deno.test("review groups through the same reasons as serve", () => {
  const row = (assetId: string, filename: string, dir: string) => ({
    assetId,
    filename,
    mediaKind: "photo",
    status: "failed" as const,
    errorClass: "permanent",
    errorMessage: gone(dir, filename),
    attempts: 1,
    lastAttemptAt: null,
  });
  const groups = reviewGroups("folder:/x", [
    row("a", "IMG 1.jpg", "/p/My Photos"),
    row("b", "IMG-2.jpg", "/p/Other-Folder/x y"),
  ]);
  assert.deepEqual(groups.map((g) => g.count), [2]);
});

function asset(id: string): Asset {
  return {
    id,
    kind: "photo",
    filename: `IMG_${id}.JPG`,
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [],
    edited: false,
    referenced: false,
    subtypes: [],
    modified: "2024-01-01T00:00:00.000Z",
    resources: [{ role: "original", filename: `IMG_${id}.JPG`, present: true, path: `/lib/IMG_${id}.JPG` }],
  };
}

Deno.test("review and serve show the same groups, counts, reasons and examples for one tracker", async () => {
  const dir = await Deno.makeTempDir();
  const tracker = Tracker.open(join(dir, "tracker.db"));
  try {
    const destinations = ["folder:/a", "immich:https://nas"];
    // Recorded within the same milliseconds, so ties in time must not decide what either shows.
    for (const destination of destinations) {
      const ids = { source: "photos", destination };
      for (let i = 0; i < 7; i++) {
        const a = asset(`${destination.length}-${i}`);
        const message = gone(`/Users/me/My Photos/${i}`, a.filename);
        tracker.recordFailure(ids, a, { kind: "permanent", message, nextAttemptAt: null });
      }
      for (let i = 0; i < 4; i++) {
        const a = asset(`t${destination.length}-${i}`);
        const message = `uploading ${a.filename} (${a.id}): 503 from the server`;
        tracker.recordFailure(ids, a, { kind: "retryable", message, nextAttemptAt: null });
      }
      tracker.recordSkipped(ids, asset(`s${destination.length}`), "a burst frame that was not picked");
    }

    const served = problemsByReason(tracker);
    for (const destination of destinations) {
      const review = reviewGroups(destination, tracker.problems(destination));
      const serve = served.filter((g) => g.destination === destination);
      const asServed = review.map((g) => ({
        reason: g.reason,
        errorClass: g.errorClass,
        count: g.count,
        examples: g.examples.map((e) => e.filename),
      }));
      assert.deepEqual(
        asServed,
        serve.map((g) => ({
          reason: g.reason,
          errorClass: g.errorClass ?? g.status,
          count: g.count,
          examples: g.examples,
        })),
      );
      assert.deepEqual(review.map((g) => g.count), [7, 4, 1]);
      assert.deepEqual(review.map((g) => g.errorClass), ["permanent", "retryable", "policy"]);
      assert.equal(
        review[0].reason,
        "original of <file>: <path> is gone from <path>; it was moved or deleted since the folder was listed.",
      );
      assert.equal(review[1].reason, "uploading <file> (<id>): 503 from the server");
    }
  } finally {
    tracker.close();
    await Deno.remove(dir, { recursive: true });
  }
});
