/**
 * The bundled program's entry point (`deno task bundle` writes it to dist/bundle.js), and the one
 * list of the modules photos-sync loads only when a run needs them. Each is named here with a literal
 * `import()`, so `deno bundle --code-splitting` puts it in a chunk of its own that a run loads when
 * it takes it (`status` evaluates no backup, server, schedule or Immich code). From the sources,
 * `deno run main.ts` never reads this file: core/lazy.ts imports the same paths by URL there.
 * @module
 */
/** Path from the repository's root -> its loader; in the order main.ts, the CLI and the plugins load them. */
export const LAZY_MODULES = {
  "core/cli/mod.ts": () => import("./cli/mod.ts"),
  "plugins/mod.ts": () => import("../plugins/mod.ts"),
  "core/cli/status.ts": () => import("./cli/status.ts"),
  "core/cli/scan.ts": () => import("./cli/scan.ts"),
  "core/cli/import.ts": () => import("./cli/import.ts"),
  "core/cli/sync.ts": () => import("./cli/sync.ts"),
  "core/cli/reclassify.ts": () => import("./cli/reclassify.ts"),
  "core/cli/cleanup.ts": () => import("./cli/cleanup.ts"),
  "core/cli/archive.ts": () => import("./cli/archive.ts"),
  "core/cli/round_trip.ts": () => import("./cli/round_trip.ts"),
  "core/cli/forget.ts": () => import("./cli/forget.ts"),
  "core/cli/review.ts": () => import("./cli/review.ts"),
  "core/cli/backup.ts": () => import("./cli/backup.ts"),
  "core/cli/serve.ts": () => import("./cli/serve.ts"),
  "core/cli/schedule.ts": () => import("./cli/schedule.ts"),
  "core/cli/demo.ts": () => import("./cli/demo.ts"),
  "core/cli/session.ts": () => import("./cli/session.ts"),
  "plugins/source/photoslibrary/_session.ts": () => import("../plugins/source/photoslibrary/_session.ts"),
  "plugins/source/photoslibrary/sample_library.ts": () =>
    import("../plugins/source/photoslibrary/sample_library.ts"),
  "plugins/source/photokit/_session.ts": () => import("../plugins/source/photokit/_session.ts"),
  "plugins/source/photokit/bridge.ts": () => import("../plugins/source/photokit/bridge.ts"),
  "plugins/source/folder/_session.ts": () => import("../plugins/source/folder/_session.ts"),
  "plugins/source/immich/_session.ts": () => import("../plugins/source/immich/_session.ts"),
  "plugins/destination/folder/_session.ts": () => import("../plugins/destination/folder/_session.ts"),
  "plugins/destination/immich/_session.ts": () => import("../plugins/destination/immich/_session.ts"),
  "plugins/destination/immich/_connect.ts": () => import("../plugins/destination/immich/_connect.ts"),
  "plugins/destination/b2/_session.ts": () => import("../plugins/destination/b2/_session.ts"),
  "plugins/destination/glacier/_session.ts": () => import("../plugins/destination/glacier/_session.ts"),
  "plugins/destination/photokit/_session.ts": () => import("../plugins/destination/photokit/_session.ts"),
} as const;

if (import.meta.main) {
  // Both by `import()`: core/lazy.ts takes its types from this list (a static import would be a cycle),
  // and main.ts must not be the main module (it would run before the loaders are handed over).
  const { useBundledModules } = await import("./lazy.ts");
  useBundledModules(LAZY_MODULES);
  const { main } = await import("../main.ts");
  await main(Deno.args);
}
