/** Hostile cases: bad flags and values given on the command line. */
import assert from "node:assert/strict";
import type { HostileCase } from "../_hostile.ts";

export const CASES: HostileCase[] = [
  {
    name: "an unknown command",
    setup: (w) => ({ args: ["frobnicate", "--home", w.home] }),
    code: 2,
    firstLine: /unknown command 'frobnicate'/,
  },
  {
    name: "a library that is not there",
    setup: (w) => ({
      args: ["import", ...w.run.map((a) => a === w.library ? `${w.dir}/nope.photoslibrary` : a)],
    }),
    code: 2,
    firstLine: /nope\.photoslibrary/,
  },
  {
    name: "an import that has nothing to do leaves everything as it was",
    setup: (w) => ({ args: ["import", ...w.run] }),
    code: 0,
    firstLine: /^import into folder /,
    // The run itself is recorded in the tracker; the library and the destination stay as they were.
    unchanged: ["library", "destination"],
    check: (r) => assert.match(r.stdout, /^imported 0, already there 0, failed 0/),
  },
];
