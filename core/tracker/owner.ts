/**
 * Runs and their owners, one model for every kind: import-type runs, the run lock and backup runs
 * and jobs use the same status words, and whether a run's owner still works on it has one answer
 * ({@link ownerState}). An owner is a process (pid on a host) that took the run at `since` and
 * beats a heartbeat while it works.
 * @module
 */
/** Whether this machine's /proc tells processes apart (Linux with /proc mounted). */
function hasProc(): boolean {
  try {
    Deno.statSync("/proc/self/stat");
    return true;
  } catch {
    return false;
  }
}

const HAS_PROC = hasProc();

/**
 * Whether process `pid` exists, by the signal test (`kill(pid, 0)`): what a machine without /proc
 * (macOS) has. Through Deno's `process` global, which loads Node's process module on first use
 * only: loading it costs about 20 ms, which every start-up paid on macOS when it was imported.
 */
export function signalAlive(pid: number): boolean {
  const { process } = globalThis as unknown as { process: { kill(pid: number, signal: number): void } };
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

/**
 * The status of every run and job, as stored and typed: `pending` (not started), `running`,
 * `succeeded`, `failed`, `interrupted` (stopped before the end; a backup run resumes it).
 */
export type RunStatus = "pending" | "running" | "succeeded" | "failed" | "interrupted";

/** The statuses a run or job can end with. */
export type EndStatus = Exclude<RunStatus, "pending" | "running">;

/** This machine's name, as owners record it. */
export const HOST = Deno.hostname();

export interface Owner {
  pid: number;
  host: string;
  /** When this owner took the run (tells a live process from one that reused its id), if known. */
  since?: string | null;
  heartbeatAt: string | null;
}

/**
 * `live` (its heartbeat is fresh, and on this host its process runs), `dead` (this host, process
 * gone) or `unknown` (a stale heartbeat: another host, or a process of this host that exists but
 * stopped beating, hung). What each kind of run does with `unknown` is its own policy.
 */
export type OwnerState = "live" | "dead" | "unknown";

/** Whether `owner` is this very process. */
export function isThisProcess(owner: { pid: number; host: string }): boolean {
  return owner.pid === Deno.pid && owner.host === HOST;
}

/** See {@link OwnerState}; `at` is the time to judge the heartbeat by (default now). */
export function ownerState(owner: Owner, options: { staleAfterMs: number; at?: number }): OwnerState {
  const { staleAfterMs, at = Date.now() } = options;
  if (owner.host === HOST && !processAlive(owner.pid, owner.since ? new Date(owner.since) : undefined)) {
    return "dead";
  }
  const beat = owner.heartbeatAt ? Date.parse(owner.heartbeatAt) : 0;
  return at - beat <= staleAfterMs ? "live" : "unknown";
}

/**
 * Whether the process that had this id at `since` still runs on this machine. A zombie (dead, not
 * yet reaped by its parent) is gone, and so is a process that started after `since`: the id was
 * reused (common in containers, where ids are small), so the holder is gone too.
 */
export function processAlive(pid: number, since?: Date): boolean {
  if (!HAS_PROC) return signalAlive(pid); // the signal test is all there is
  const proc = linuxProcess(pid);
  if (proc === "gone") return false;
  if (!proc) return true; // unreadable: assume it runs
  if (proc.state === "Z" || proc.state === "X") return false;
  // Clocks of a lock and of the kernel can disagree a little: a few seconds of slack.
  return since === undefined || proc.startedAt.getTime() <= since.getTime() + 5_000;
}

/** State and start time of a process, from Linux's /proc: "gone" when it has no entry there. */
function linuxProcess(pid: number): { state: string; startedAt: Date } | "gone" | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The command name (field 2) may hold spaces and parentheses: the fields after it are fixed.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const bootSeconds = Number(/^btime (\d+)$/m.exec(Deno.readTextFileSync("/proc/stat"))?.[1]);
    // Field 22, in clock ticks since boot; Linux has used 100 ticks a second everywhere for decades.
    const startTicks = Number(fields[19]);
    if (!Number.isFinite(bootSeconds) || !Number.isFinite(startTicks)) return undefined;
    return { state: fields[0], startedAt: new Date(bootSeconds * 1000 + startTicks * 10) };
  } catch (e) {
    return e instanceof Deno.errors.NotFound ? "gone" : undefined;
  }
}
