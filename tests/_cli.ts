/**
 * Helpers for end-to-end tests that run the real CLI in another process: a sample library, an
 * import into a folder destination, and the command line to run.
 * @module
 */
import { fileURLToPath } from "node:url";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";

export const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/** Environment for a child photos-sync: no inherited PHOTOS_SYNC_* settings, UTC, no colours. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (!k.startsWith("PHOTOS_SYNC_") && k !== "RUST_BACKTRACE") env[k] = v;
  }
  return { ...env, TZ: "UTC", NO_COLOR: "1", ...extra };
}

/** `photos-sync <args>` as a child process (not yet started). */
export function cli(
  args: string[],
  options: { env?: Record<string, string>; stdout?: "piped" | "null" } = {},
) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: childEnv(options.env),
    clearEnv: true,
    stdin: "null",
    stdout: options.stdout ?? "piped",
    stderr: "piped",
  });
}

/** Runs the CLI to the end; fails the test with its stderr when the exit code is not `expect`. */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; expect?: number } = {},
) {
  const out = await cli(args, options).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.code !== (options.expect ?? 0)) {
    throw new Error(`photos-sync ${args.join(" ")} exited ${out.code}:\n${stderr}\n${stdout}`);
  }
  return { code: out.code, stdout, stderr };
}

export interface ImportFixture {
  dir: string;
  library: string;
  home: string;
  folder: string;
  /** Arguments of `import` from this library into the folder destination, under this home. */
  importArgs: string[];
}

/** A sample library of `assets` assets in a new temp dir, and where an import of it goes. */
export async function importFixture(options: { assets?: number } = {}): Promise<ImportFixture> {
  const dir = await Deno.makeTempDir({ prefix: "photos-sync-serve-" });
  const library = `${dir}/Sample.photoslibrary`;
  await writeSampleLibrary(library, { assets: options.assets ?? 24 });
  const home = `${dir}/home`;
  const folder = `${dir}/out`;
  return {
    dir,
    library,
    home,
    folder,
    importArgs: [
      "import",
      "--source",
      "photoslibrary",
      "--library",
      library,
      "--to",
      "folder",
      "--folder-path",
      folder,
      "--home",
      home,
    ],
  };
}
