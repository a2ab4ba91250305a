/** What some hostile cases need of the machine: a folder made read-only for one run, names that are not UTF-8. */
import { type CliResult, RUN_MAIN } from "../_cli.ts";
import { networkEnv } from "../_child_env.ts";

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** The CLI's run with `folder` read-only for its duration (root ignores file modes, so it mounts). */
export async function cliWithReadOnly(folder: string, args: string[]): Promise<CliResult> {
  const env = {
    ...networkEnv(),
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "",
    NO_COLOR: "1",
    TZ: "UTC",
  };
  const deno = [Deno.execPath(), ...RUN_MAIN, ...args].map(quote).join(" ");
  const asRoot = Deno.uid() === 0;
  const command = asRoot
    ? new Deno.Command("unshare", {
      args: [
        "-m",
        "sh",
        "-c",
        `mount --bind ${quote(folder)} ${quote(folder)} && mount -o remount,bind,ro ${
          quote(folder)
        } && ${deno}`,
      ],
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    })
    : new Deno.Command("sh", { args: ["-c", deno], env, clearEnv: true, stdout: "piped", stderr: "piped" });
  const mode = (await Deno.stat(folder)).mode ?? 0o755;
  if (!asRoot) await Deno.chmod(folder, 0o555);
  try {
    const out = await command.output();
    const d = new TextDecoder();
    return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
  } finally {
    if (!asRoot) await Deno.chmod(folder, mode & 0o777);
  }
}

/** Whether a folder can be made read-only for one run here (root needs a private mount namespace). */
export function canMakeReadOnly(): boolean {
  if (Deno.uid() !== 0) return true;
  try {
    const dir = Deno.makeTempDirSync();
    const r = new Deno.Command("unshare", {
      args: [
        "-m",
        "sh",
        "-c",
        `mount --bind ${quote(dir)} ${quote(dir)} && mount -o remount,bind,ro ${quote(dir)}`,
      ],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    Deno.removeSync(dir);
    return r.code === 0;
  } catch {
    return false;
  }
}

/** Whether this file system takes a file name that is not UTF-8 (Linux does; APFS refuses it). */
export function takesNonUtf8Names(): boolean {
  const dir = Deno.makeTempDirSync();
  try {
    return new Deno.Command("sh", {
      args: ["-c", `printf x > "$(printf 'caf\\351.jpg')"`],
      cwd: dir,
      stderr: "null",
    })
      .outputSync().code === 0;
  } catch {
    return false;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
