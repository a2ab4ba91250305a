/** Hostile cases: bad flags and values given on the command line. */
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
];
