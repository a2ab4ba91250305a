/**
 * The benchmark harness: runs every `bench/*_bench.ts` (or those whose names contain an argument) in
 * its own process, one after another, so they do not disturb each other. Each benchmark measures
 * photos-sync and a peer in the same run and prints ratios, never pass/fail times.
 *
 *   deno task bench                  # all
 *   deno task bench import_folder    # only matching files
 * @module
 */
const dir = new URL(".", import.meta.url).pathname;
const filters = Deno.args;
const files = [...Deno.readDirSync(dir)]
  .map((e) => e.name)
  .filter((n) => n.endsWith("_bench.ts") && (filters.length === 0 || filters.some((f) => n.includes(f))))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(", ")}`);
  Deno.exit(2);
}
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file}`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${dir}${file}`],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) failed++;
}
Deno.exit(failed > 0 ? 1 : 0);
