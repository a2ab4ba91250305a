import assert from "node:assert/strict";
import { fileEventOf, isError, parseLogLine, statsOf } from "./stats.ts";

// Lines as rclone 1.60.1 writes them with --use-json-log (msg shortened where it does not matter).
const STATS =
  `{"level":"info","msg":"\\nTransferred: 32 MiB / 160 MiB, 20%","source":"accounting/stats.go:482","stats":{"bytes":33726640,"checks":9,"deletedDirs":0,"deletes":1,"elapsedTime":1.137,"errors":0,"eta":12,"fatalError":false,"renames":2,"retryError":false,"speed":15732184.5,"totalBytes":167776437,"totalChecks":9,"totalTransfers":71,"transferTime":0,"transfers":3},"time":"2026-11-21T05:34:43.646946+00:00"}`;
const COPIED =
  `{"level":"info","msg":"Copied (new)","object":"a/f2.bin","objectType":"*local.Object","source":"operations/operations.go:566","time":"2026-11-21T06:14:32.149101+00:00"}`;
const ARCHIVED =
  `{"level":"info","msg":"Moved into backup dir","object":"a/f1.bin","objectType":"*crypt.Object","source":"operations/operations.go:721","time":"2026-11-21T06:14:33.823463+00:00"}`;
const DRY_COPY =
  `{"level":"warning","msg":"Skipped copy as --dry-run is set (size 4)","object":"n.txt","objectType":"*local.Object","size":4,"skipped":"copy","source":"operations/operations.go:2404","time":"2026-11-21T06:18:13+00:00"}`;
const DRY_ARCHIVE =
  `{"level":"warning","msg":"Skipped move into backup dir as --dry-run is set (size 1000)","object":"a/f2.bin","objectType":"*crypt.Object","size":1000,"skipped":"move into backup dir","source":"x","time":"t"}`;
const ERROR =
  `{"level":"error","msg":"Attempt 1/1 failed with 1 errors and: directory not found","source":"cmd/cmd.go:283","time":"2026-11-21T06:18:13.584763+00:00"}`;

Deno.test("a stats line gives cumulative bytes, files, speed and ETA", () => {
  const s = statsOf(parseLogLine(STATS)!)!;
  assert.deepEqual(
    [s.bytes, s.totalBytes, s.transfers, s.totalTransfers, s.speed, s.eta, s.deletes, s.renames],
    [33726640, 167776437, 3, 71, 15732184.5, 12, 1, 2],
  );
});

Deno.test("a line without a stats object is never read as progress", () => {
  // The predecessor turned every other JSON line into an all-zero progress record.
  for (const line of [COPIED, ARCHIVED, DRY_COPY, ERROR]) {
    assert.equal(statsOf(parseLogLine(line)!), undefined);
  }
  assert.equal(
    statsOf({ level: "info", msg: "x", stats: [] as unknown as Record<string, unknown> }),
    undefined,
  );
});

Deno.test("an unknown ETA is null, not zero", () => {
  const s = statsOf(parseLogLine(STATS.replace(`"eta":12`, `"eta":null`))!)!;
  assert.equal(s.eta, null);
});

Deno.test("plain-text and broken lines are not log entries", () => {
  assert.equal(parseLogLine("2026/11/21 06:18:13 Failed to sync: directory not found"), undefined);
  assert.equal(parseLogLine(`{"level":"info"`), undefined);
  assert.equal(parseLogLine(`{"msg":"no level"}`), undefined);
  assert.equal(parseLogLine("[1,2]"), undefined);
});

Deno.test("per-file lines are told apart, and a file moved into the archive counts once", () => {
  assert.equal(fileEventOf(parseLogLine(COPIED)!), "copied");
  assert.equal(
    fileEventOf(parseLogLine(COPIED.replace("Copied (new)", "Copied (replaced existing)"))!),
    "copied",
  );
  assert.equal(fileEventOf(parseLogLine(ARCHIVED)!), undefined);
  assert.equal(
    fileEventOf(parseLogLine(ARCHIVED.replace("Moved into backup dir", "Moved (server-side)"))!),
    "archived",
  );
  assert.equal(
    fileEventOf(parseLogLine(ARCHIVED.replace("Moved into backup dir", "Copied (server-side copy)"))!),
    "archived",
  );
  assert.equal(fileEventOf(parseLogLine(DRY_COPY)!), "would-copy");
  assert.equal(fileEventOf(parseLogLine(DRY_ARCHIVE)!), "would-archive");
  assert.equal(fileEventOf(parseLogLine(ERROR)!), undefined);
});

Deno.test("error lines are recognised by level", () => {
  assert.equal(isError(parseLogLine(ERROR)!), true);
  assert.equal(isError(parseLogLine(COPIED)!), false);
});
