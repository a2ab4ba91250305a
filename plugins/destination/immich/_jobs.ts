/**
 * Pausing Immich's heavy background jobs during a large import, and resuming them after. Only the
 * queues this tool paused are resumed (a queue the admin paused stays paused), and what was paused
 * is written to the tracker first, so a run that was killed has them resumed by the next run.
 * @module
 */
import type { Logger, StateStore } from "../../../core/plugin/types.ts";
import type { ImmichClient, ServerVersion } from "./_client.ts";

/** The queues that compete with uploads for CPU and disk (as immich-go pauses them). */
export const HEAVY_QUEUES = [
  "thumbnailGeneration",
  "metadataExtraction",
  "videoConversion",
  "faceDetection",
  "smartSearch",
] as const;

export class JobPauser {
  #pausing?: Promise<void>;

  /** Resumes with a client the run's stop does not cut short: a stopped run resumes them too. */
  readonly #tidy: ImmichClient;

  constructor(
    readonly admin: ImmichClient,
    readonly version: ServerVersion,
    readonly state: StateStore,
    readonly stateKey: string,
    readonly log: Logger,
  ) {
    this.#tidy = admin.forTidying();
  }

  get #key(): string {
    return `${this.stateKey}:paused-queues`;
  }

  /** 3.0 moved queues to `/queues`; `/jobs` remains for older servers. */
  get #queues(): boolean {
    return this.version.major >= 3;
  }

  /** Pauses the heavy queues once per run; later calls wait for the first. */
  pause(): Promise<void> {
    this.#pausing ??= this.#pause();
    return this.#pausing;
  }

  async #pause(): Promise<void> {
    const already = await this.#pausedNow();
    const ours = new Set(this.state.get<string[]>(this.#key) ?? []);
    const toPause = HEAVY_QUEUES.filter((q) => !already.has(q));
    for (const q of toPause) ours.add(q);
    this.state.set(this.#key, [...ours]);
    for (const q of toPause) await this.#set(this.admin, q, true);
    if (toPause.length > 0) this.log.info(`paused Immich jobs during the import: ${toPause.join(", ")}`);
  }

  /** Resumes every queue this tool paused, in this run or a killed earlier one. */
  async resume(): Promise<void> {
    const ours = this.state.get<string[]>(this.#key) ?? [];
    if (ours.length === 0) return;
    for (const q of ours) await this.#set(this.#tidy, q, false);
    this.state.delete(this.#key);
    this.log.info(`resumed Immich jobs: ${ours.join(", ")}`);
  }

  async #pausedNow(): Promise<Set<string>> {
    if (this.#queues) {
      const list = await this.admin.json<{ name: string; isPaused: boolean }[]>("GET", "/queues", undefined, {
        what: "reading the job queues",
      });
      return new Set(list.filter((q) => q.isPaused).map((q) => q.name));
    }
    const all = await this.admin.json<Record<string, { queueStatus: { isPaused: boolean } }>>(
      "GET",
      "/jobs",
      undefined,
      { what: "reading the job queues" },
    );
    return new Set(Object.entries(all).filter(([, s]) => s.queueStatus?.isPaused).map(([name]) => name));
  }

  async #set(client: ImmichClient, queue: string, paused: boolean): Promise<void> {
    const what = `${paused ? "pausing" : "resuming"} the ${queue} jobs`;
    if (this.#queues) await client.json("PUT", `/queues/${queue}`, { isPaused: paused }, { what });
    else {await client.json("PUT", `/jobs/${queue}`, {
        command: paused ? "pause" : "resume",
        force: false,
      }, { what });}
  }
}

/**
 * From how many puts in a run `auto` pauses the queues. A few dozen photos go up in seconds with the
 * jobs running, and pausing would hold their thumbnails and faces back till the end; past that,
 * the jobs' competition for CPU and disk shows (bench/immich_upload_bench.ts: 2.4x on 2000 photos).
 */
export const LARGE_IMPORT = 50;

/**
 * From how many bytes put `auto` pauses as well, however few the assets: a handful of long videos
 * is a large import too (their conversion is the heaviest job). About the size of 100 camera
 * photos, so an import of photos reaches {@link LARGE_IMPORT} first and only videos meet this.
 */
export const LARGE_IMPORT_BYTES = 256 * 2 ** 20;

/**
 * When the puts of a run pause the heavy queues. `on` from the first put; `auto` from the
 * {@link LARGE_IMPORT}th put or the one that reaches {@link LARGE_IMPORT_BYTES} (the destination is
 * not told how much will come, so it counts), and then only a failure to warn about: an import
 * never fails for want of an automatic pause.
 */
export class ImportPause {
  #puts = 0;
  #bytes = 0;
  /** Set by the start-up check in `auto`: the line that says why the key cannot pause. */
  #refusal?: string;
  #done = false;

  constructor(
    readonly pauser: Pick<JobPauser, "pause">,
    readonly mode: "on" | "auto" | "off",
    readonly log: Logger,
  ) {}

  /** What the start-up check found in `auto`: undefined, or the line to show in place of pausing. */
  refuse(line: string | undefined): void {
    this.#refusal = line;
  }

  /** Called before each put of `bytes`; waits while the queues are being paused. */
  async beforePut(bytes: number): Promise<void> {
    if (this.mode === "off") return;
    if (this.mode === "on") return await this.pauser.pause();
    this.#bytes += bytes;
    if ((++this.#puts < LARGE_IMPORT && this.#bytes < LARGE_IMPORT_BYTES) || this.#done) return;
    if (this.#refusal) {
      this.#done = true;
      return this.log.info(this.#refusal);
    }
    try {
      await this.pauser.pause();
    } catch (e) {
      if (this.#done) return; // the puts that waited on the same failure: said once
      this.#done = true;
      this.log.warn(
        `could not pause Immich's jobs for this large import (${(e as Error).message}); ` +
          `importing with them running (--no-immich-pause-jobs: never try)`,
      );
    }
  }
}
