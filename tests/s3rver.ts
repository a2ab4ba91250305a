/**
 * Starts s3rver (npm `s3rver@3`, an S3 emulator) in a subprocess under Deno for tests, on a free
 * port, with one bucket. rclone reaches it through a connection-string remote, so a test needs no
 * rclone config file and changes no environment variable.
 *
 * @example
 * ```ts
 * await using s3 = await startS3rver();
 * const remote = s3.remote("backup"); // ":s3,provider=Other,...:photos/backup"
 * ```
 * @module
 */
import { fileURLToPath } from "node:url";

export interface S3rver extends AsyncDisposable {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps its files (objects and their metadata as JSON). */
  dir: string;
  /** An rclone connection string for `path` inside the bucket. */
  remote(path?: string): string;
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export async function startS3rver(options: { bucket?: string } = {}): Promise<S3rver> {
  const bucket = options.bucket ?? "photos";
  const dir = await Deno.makeTempDir({ prefix: "s3rver-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "npm:s3rver@^3.7.1",
      "-d",
      dir,
      "-a",
      "127.0.0.1",
      "-p",
      "0",
      "--configure-bucket",
      bucket,
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  let found: (port: string) => void;
  const port = new Promise<string>((resolve) => (found = resolve));
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      output += chunk;
      const m = /listening on [\d.]+:(\d+)/.exec(output);
      if (m) found(m[1]);
    }
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  const timeout = new Promise<never>((_, reject) => {
    const t = setTimeout(() => reject(new Error(`s3rver did not start within 60 s: ${output}`)), 60_000);
    child.status.then(() => {
      clearTimeout(t);
      reject(new Error(`s3rver exited before listening: ${output}`));
    });
    port.then(() => clearTimeout(t));
  });
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
    await drained;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  let listening: string;
  try {
    listening = await Promise.race([port, timeout]);
  } catch (e) {
    await stop();
    throw e;
  }
  const endpoint = `http://127.0.0.1:${listening}`;
  return {
    endpoint,
    bucket,
    dir,
    remote: (path = "") =>
      `:s3,provider=Other,env_auth=false,access_key_id=S3RVER,secret_access_key=S3RVER,` +
      `endpoint='${endpoint}',force_path_style=true:${bucket}${path ? `/${path}` : ""}`,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
