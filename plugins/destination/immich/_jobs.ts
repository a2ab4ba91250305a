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

  constructor(
    readonly admin: ImmichClient,
    readonly version: ServerVersion,
    readonly state: StateStore,
    readonly stateKey: string,
    readonly log: Logger,
  ) {}

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
    for (const q of toPause) await this.#set(q, true);
    if (toPause.length > 0) this.log.info(`paused Immich jobs during the import: ${toPause.join(", ")}`);
  }

  /** Resumes every queue this tool paused, in this run or a killed earlier one. */
  async resume(): Promise<void> {
    const ours = this.state.get<string[]>(this.#key) ?? [];
    if (ours.length === 0) return;
    for (const q of ours) await this.#set(q, false);
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

  async #set(queue: string, paused: boolean): Promise<void> {
    const what = `${paused ? "pausing" : "resuming"} the ${queue} jobs`;
    if (this.#queues) await this.admin.json("PUT", `/queues/${queue}`, { isPaused: paused }, { what });
    else {await this.admin.json("PUT", `/jobs/${queue}`, {
        command: paused ? "pause" : "resume",
        force: false,
      }, { what });}
  }
}
