/**
 * An encrypted backup tree: an rclone crypt remote (file and directory names encrypted, with a
 * salt) over a base location (a B2 bucket, an S3 bucket, a local folder). The password and salt
 * are obscured in-process and reach rclone only through its environment.
 *
 * Layout inside the crypt remote (all names are encrypted on the base):
 * ```
 * photos-sync-backup.json         marker: says the tree is ours and proves the password is right
 * current/<source>/...            the mirror of each source (library, upload, ..., data)
 * archive/<stamp>/<source>/...    files the sync of run <stamp> replaced or deleted
 * assets/YYYY/MM/DD/<name>        single assets put by `import --to b2|glacier`
 * ```
 * Anyone with the password and salt can read it back with plain rclone (see docs/backups.md).
 * Whole trees go in and out through `trees.ts`.
 *
 * @example
 * ```ts
 * const vault = await Vault.open(ctx, { base: "/mnt/usb/backup", password, salt });
 * await vault.claim(); // refuses a tree written with another password
 * await vault.putFile("/tmp/IMG_1.HEIC", "assets/2024/05/01/IMG_1_abcdef12.HEIC");
 * ```
 * @module
 */
import { join } from "node:path";
import { ConfigError, FatalError } from "../../../core/plugin/errors.ts";
import type { PluginContext } from "../../../core/plugin/types.ts";
import { fileEventOf, Rclone, rcloneFailure } from "./mod.ts";

export const MARKER = "photos-sync-backup.json";
const VAULT = "photossyncvault";

export interface VaultOptions {
  /** The rclone path that holds the encrypted tree: `remote:bucket/dir` or a local directory. */
  base: string;
  /** `RCLONE_CONFIG_*` variables that define the base's remote (none for a local directory). */
  baseEnv?: Record<string, string>;
  password: string;
  salt: string;
  /** The rclone executable (default `rclone`). */
  binary?: string;
  /** Seconds between rclone's progress reports (default 5). */
  statsSeconds?: number;
  /** rclone `--bwlimit` value, e.g. `10M` or `08:00,1M 23:00,off`. */
  bwlimit?: string;
  /** Files transferred in parallel (rclone `--transfers`, default 4). */
  transfers?: number;
  /**
   * Extra flags for writing the marker. Glacier stores it in STANDARD: it is read on every run to
   * check the password, and a cold object cannot be read.
   */
  markerFlags?: string[];
}

interface Marker {
  format: number;
  tool: string;
  createdAt: string;
}

export class Vault {
  #ours: string | undefined;

  private constructor(
    readonly ctx: PluginContext,
    readonly rclone: Rclone,
    /** rclone without the crypt remote, for the base itself. */
    readonly plain: Rclone,
    readonly options: VaultOptions,
  ) {}

  static async open(ctx: PluginContext, options: VaultOptions): Promise<Vault> {
    if (!options.password) throw new ConfigError("the encryption password is empty");
    if (!options.salt) throw new ConfigError("the encryption salt is empty");
    const plain = new Rclone(ctx, { binary: options.binary, env: options.baseEnv });
    const prefix = `RCLONE_CONFIG_${VAULT.toUpperCase()}_`;
    const env = {
      ...options.baseEnv,
      [`${prefix}TYPE`]: "crypt",
      [`${prefix}REMOTE`]: options.base,
      [`${prefix}PASSWORD`]: await plain.obscure(options.password),
      [`${prefix}PASSWORD2`]: await plain.obscure(options.salt),
      [`${prefix}FILENAME_ENCRYPTION`]: "standard",
      [`${prefix}DIRECTORY_NAME_ENCRYPTION`]: "true",
    };
    return new Vault(ctx, new Rclone(ctx, { binary: options.binary, env }), plain, options);
  }

  /** The rclone path of `rel` inside the encrypted tree. */
  path(rel = ""): string {
    return `${VAULT}:${rel}`;
  }

  /** rclone's JSON log, with stats every `statsSeconds` (default the vault's), and a single try. */
  logFlags(statsSeconds?: number): string[] {
    const every = Math.max(1, Math.round(statsSeconds ?? this.options.statsSeconds ?? 5));
    return ["--use-json-log", "-v", "--retries", "1", "--stats", `${every}s`];
  }

  /** How many files go at once, and how fast. */
  transferFlags(): string[] {
    const flags = ["--transfers", String(this.options.transfers ?? 4)];
    if (this.options.bwlimit) flags.push("--bwlimit", this.options.bwlimit);
    return flags;
  }

  /** Names directly under `rel` in the encrypted tree (directories end in `/`); [] when absent. */
  async list(rel = "", options: { dirsOnly?: boolean } = {}): Promise<string[]> {
    return await this.#lsf(this.rclone, { path: this.path(rel), dirsOnly: options.dirsOnly });
  }

  async #lsf(rclone: Rclone, what: { path: string; dirsOnly?: boolean }): Promise<string[]> {
    const { path, dirsOnly } = what;
    const names: string[] = [];
    const args = ["lsf", path, "--max-depth", "1", "--use-json-log", "--retries", "1"];
    if (dirsOnly) args.push("--dirs-only");
    const outcome = await rclone.attempt({ args, onStdoutLine: (l) => l && names.push(l) });
    if (outcome.code === 3) return []; // directory not found: nothing there yet
    if (outcome.code !== 0) throw rcloneFailure(`listing ${path}`, outcome);
    return names;
  }

  /**
   * What is at the base: `new` (nothing yet) or `ours` (our marker, readable with this password).
   * Anything else is refused: with the wrong password rclone would see an empty tree and upload
   * everything a second time beside the real backup.
   */
  async inspect(): Promise<{ state: "new" } | { state: "ours"; createdAt: string }> {
    // Once proven ours, it stays ours for the life of this vault (nothing here deletes the marker).
    if (this.#ours) return { state: "ours", createdAt: this.#ours };
    const top = await this.list();
    if (top.includes(MARKER)) {
      let text = "";
      const outcome = await this.rclone.attempt({
        args: ["cat", this.path(MARKER), "--use-json-log", "--retries", "1"],
        onStdoutLine: (l) => (text += l),
      });
      let marker: Marker | undefined;
      try {
        marker = outcome.code === 0 ? JSON.parse(text) : undefined;
      } catch { /* reported below */ }
      if (!marker || marker.tool !== "photos-sync") {
        throw new ConfigError(
          `the backup marker at ${this.options.base} cannot be read (${
            outcome.errors.at(-1) ?? "not a photos-sync marker"
          }); ` +
            `check the encryption password and salt`,
        );
      }
      this.#ours = marker.createdAt;
      return { state: "ours", createdAt: marker.createdAt };
    }
    const raw = await this.#lsf(this.plain, { path: this.options.base });
    if (raw.length === 0) return { state: "new" };
    throw new ConfigError(
      `${this.options.base} holds ${raw.length} entries that this encryption password and salt cannot decrypt: ` +
        `either the password or salt is wrong, or the folder holds something else. Use the password and salt the ` +
        `backup was made with (without them it cannot be read), or point the destination at an empty folder`,
    );
  }

  /** Makes sure the tree is ours: writes the marker into an empty base, refuses a foreign one. */
  async claim(): Promise<"created" | "existing"> {
    const found = await this.inspect();
    if (found.state === "ours") return "existing";
    const marker: Marker & { layout: Record<string, string> } = {
      format: 1,
      tool: "photos-sync",
      createdAt: new Date().toISOString(),
      layout: {
        current: "current/<source>/ mirrors each source",
        archive: "archive/<stamp>/<source>/ holds what a run replaced or deleted",
        assets: "assets/YYYY/MM/DD/ holds single assets",
      },
    };
    await this.rclone.call(`writing the backup marker to ${this.options.base}`, {
      args: [
        "rcat",
        this.path(MARKER),
        "--use-json-log",
        "--retries",
        "1",
        ...(this.options.markerFlags ?? []),
      ],
      stdin: JSON.stringify(marker, null, 2) + "\n",
    });
    // Read it back: proves the round trip through encryption works before any real data goes up.
    const after = await this.inspect();
    if (after.state !== "ours") {
      throw new FatalError(`the backup marker written to ${this.options.base} is not there`);
    }
    return "created";
  }

  /** Whether any file is stored under `rel` (a full listing; used only when a restore found nothing). */
  async hasFiles(rel: string, extraArgs: string[] = []): Promise<boolean> {
    let any = false;
    const outcome = await this.rclone.attempt({
      args: ["lsf", this.path(rel), "-R", "--files-only", "--fast-list", "--use-json-log", ...extraArgs],
      onStdoutLine: (l) => (any ||= l !== ""),
    });
    if (outcome.code !== 0 && outcome.code !== 3) throw rcloneFailure(`listing ${rel}`, outcome);
    return any;
  }

  /** Deletes a tree inside the vault (used only for archive areas past their retention). */
  async purge(rel: string): Promise<void> {
    if (!rel.startsWith("archive/") || rel.split("/").length < 2 || rel.includes("..")) {
      throw new Error(`refusing to purge ${rel}: only archive areas are ever deleted`);
    }
    await this.rclone.call(`removing the expired archive area ${rel}`, {
      args: ["purge", this.path(rel), "--use-json-log", "--retries", "1"],
    });
  }

  /**
   * Copies one local file to `dest` unless something is already there. Returns whether it was
   * copied (false: the object existed, which for our content-named assets means same content).
   */
  async putFile(local: string, dest: string): Promise<boolean> {
    let copied = false;
    await this.rclone.call(`storing ${local}`, {
      args: ["copyto", local, this.path(dest), "--ignore-existing", ...this.logFlags()],
      onEntry: (e) => (copied ||= fileEventOf(e) === "copied"),
    });
    return copied;
  }

  /** The names the base stores for these paths (encrypted), in the same order. */
  async encryptedPaths(paths: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < paths.length; i += 200) {
      const batch = paths.slice(i, i + 200);
      const map = new Map<string, string>();
      await this.rclone.call("encrypting object names", {
        args: ["cryptdecode", "--reverse", this.path(), ...batch],
        onStdoutLine: (line) => {
          const [plain, enc] = line.split(" \t ");
          if (enc) map.set(plain, enc.trim());
        },
      });
      for (const p of batch) {
        const enc = map.get(p);
        if (!enc) throw new FatalError(`rclone did not encrypt the name ${p}`);
        out.push(enc);
      }
    }
    return out;
  }

  /** Writes a file list (one path a line) for `--files-from` into the plugin's temp dir. */
  async fileList(paths: readonly string[]): Promise<string> {
    const file = join(this.ctx.tempDir, `files-${crypto.randomUUID().slice(0, 8)}.txt`);
    await Deno.writeTextFile(file, paths.join("\n") + "\n");
    return file;
  }
}
