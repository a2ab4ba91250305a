import assert from "node:assert/strict";
import { groupProblems } from "./review.ts";

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
  const groups = groupProblems([
    row("a", "IMG 1.jpg", "/p/My Photos"),
    row("b", "IMG-2.jpg", "/p/Other-Folder/x y"),
  ]);
  assert.deepEqual(groups.map((g) => g.count), [2]);
});
