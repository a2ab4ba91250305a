/**
 * Backup bookkeeping in the tracker, the one entry point for it: destinations, runs (one record
 * per `backup` invocation that changes anything), one job per source in each run, the
 * cold-storage state of objects a restore found in an archive tier, and the status document.
 * Every backup query lives in the `backup_*.ts` files beside this one.
 *
 * A run is owned by one process (pid and host) that keeps a heartbeat. A run whose owner is gone
 * is taken over by the next `backup`, which resumes the jobs that did not complete.
 *
 * @example
 * ```ts
 * const store = new BackupStore(tracker);
 * const dest = store.saveDestination({ name: "b2", type: "b2", bucket: "photos", remotePath: "photos-sync" });
 * const { run } = store.beginRun(dest.id, sources, { staleAfterMs: 180_000 });
 * backupStatus(tracker); // what `backup --status` and `serve` show
 * ```
 * @module
 */
export type { ColdObject } from "./backup_cold.ts";
export * from "./backup_report.ts";
export * from "./backup_rows.ts";
export * from "./backup_store.ts";
export { type OwnerState, ownerState } from "./owner.ts";
