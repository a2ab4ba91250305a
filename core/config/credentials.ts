/**
 * Where a destination's credentials come from, at run time: the 1Password CLI (`op read`), the
 * macOS Keychain (`security`), or only the environment. A plugin marks the options a store may
 * supply with `credential: true`; their field name in the store is the option name with
 * underscores (`encryption-password` -> `encryption_password`, the predecessor's names).
 *
 * Flags and environment variables still win over the store, so a value can always be overridden
 * for one run. Every value read is registered with the redactor before anything can print it.
 *
 * @example
 * ```ts
 * const store = credentialStore("1password", { run, vault: "Private", item: "Immich Backup B2" });
 * const { values, missing } = await fillCredentials(plugin, { values: options, store, redactor });
 * ```
 * @module
 */
import type { Redactor } from "./redact.ts";
import { ConfigError } from "../plugin/errors.ts";
import { envNames, flagName, type OptionValues, parseOptionValue } from "../plugin/options.ts";
import type { Plugin, SubprocessRunner } from "../plugin/types.ts";

export type CredentialStoreKind = "1password" | "keychain" | "env";

export interface CredentialStore {
  readonly kind: CredentialStoreKind;
  /** Where values are looked up, for messages: `the 1Password item "X" in vault "Y"`. */
  readonly description: string;
  /**
   * The value of one field; undefined when the store has no such field. Throws a ConfigError that
   * says what to do when the store itself cannot be used (not installed, not signed in, no item).
   */
  read(field: string): Promise<string | undefined>;
  /**
   * Creates the store's entry with these fields (setup). Only where the secrets can be handed over
   * without a command-line argument or a file; undefined otherwise.
   */
  create?(fields: Record<string, string>): Promise<void>;
  /** How a user adds one missing field by hand. */
  howToAdd(field: string): string;
}

export interface StoreOptions {
  run: SubprocessRunner;
  /** 1Password vault (default `Private`, the predecessor's). */
  vault?: string;
  /** 1Password item title, and the Keychain service name (default `Immich Backup B2`). */
  item?: string;
  /** Extra environment for the store's CLI (tests put a fake `op` on PATH this way). */
  env?: Record<string, string>;
}

/** `encryption-password` -> `encryption_password`. */
export function credentialField(optionName: string): string {
  return optionName.replaceAll("-", "_");
}

/** The default item title for a destination: `Immich Backup B2`, `Immich Backup Glacier`. */
export function defaultItemTitle(destination: string): string {
  const short = destination.split(".").at(-1)!;
  return `Immich Backup ${short.charAt(0).toUpperCase()}${short.slice(1)}`;
}

/** The store has no entry for these credentials at all (setup can create it). */
export class CredentialItemMissing extends ConfigError {}

export function credentialStore(kind: CredentialStoreKind, options: StoreOptions): CredentialStore {
  switch (kind) {
    case "1password":
      return onePassword(options);
    case "keychain":
      return keychain(options);
    case "env":
      // Values come from flags, the environment and .env, which the options layer already read.
      return {
        kind,
        description: "the environment",
        read: () => Promise.resolve(undefined),
        howToAdd: () => "set it in the environment or in .env",
      };
  }
}

/** Runs a store's CLI with `[command, ...args]`; "missing" when the program is not installed. */
async function capture(
  run: SubprocessRunner,
  call: { argv: string[]; env?: Record<string, string>; stdin?: string },
): Promise<{ code: number; stdout: string; stderr: string } | "missing"> {
  const [command, ...args] = call.argv;
  const out: string[] = [];
  try {
    const r = await run(command, args, {
      env: call.env,
      stdin: call.stdin,
      onStdoutLine: (l) => out.push(l),
      keepStderrLines: 5,
    });
    return { code: r.code, stdout: out.join("\n"), stderr: r.stderrTail.join(" ").trim() };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "missing";
    throw e;
  }
}

function onePassword(options: StoreOptions): CredentialStore {
  const vault = options.vault ?? "Private";
  const item = options.item ?? "Immich Backup B2";
  const where = `the 1Password item "${item}" in vault "${vault}"`;
  const notInstalled = () =>
    new ConfigError(
      `the 1Password CLI (op) is not installed; install it (brew install 1password-cli) or choose another ` +
        `credential store with BACKUP_CREDENTIALS=keychain or env`,
    );
  const failure = (stderr: string) => {
    const detail = stderr.replace(/^\[ERROR\] \S+ \S+ /, "");
    if (
      /not (currently )?signed in|no accounts? (configured|found)|session (has )?expired|authori[sz]ation .*(dismissed|denied)|sign ?in/i
        .test(detail)
    ) {
      return new ConfigError(
        `the 1Password CLI is not signed in (${detail}); run \`op signin\` (or unlock the 1Password app with ` +
          `CLI integration on, or set OP_SERVICE_ACCOUNT_TOKEN), then run again`,
      );
    }
    if (/isn't an item/i.test(detail)) {
      return new CredentialItemMissing(
        `there is no item "${item}" in the 1Password vault "${vault}"; create it with \`photos-sync backup --setup\`, ` +
          `or name yours with --backup-op-item / --backup-op-vault`,
      );
    }
    if (/isn't a vault/i.test(detail)) {
      return new ConfigError(`there is no 1Password vault "${vault}"; name yours with --backup-op-vault`);
    }
    return new ConfigError(`the 1Password CLI failed reading ${where}: ${detail || "no message"}`);
  };
  return {
    kind: "1password",
    description: where,
    async read(field) {
      const r = await capture(options.run, {
        argv: ["op", "read", "--no-newline", `op://${vault}/${item}/${field}`],
        env: options.env,
      });
      if (r === "missing") throw notInstalled();
      if (r.code === 0) return r.stdout === "" ? undefined : r.stdout;
      if (/does not have a field|no (such )?field|isn't a field/i.test(r.stderr)) return undefined;
      throw failure(r.stderr);
    },
    async create(fields) {
      // The template goes in on stdin: no secret in arguments, none in a file.
      const template = {
        title: item,
        category: "SECURE_NOTE",
        fields: Object.entries(fields).map(([label, value]) => ({
          id: label,
          label,
          type: /password|key|salt/.test(label) && label !== "application_key_id" ? "CONCEALED" : "STRING",
          value,
        })),
      };
      const r = await capture(options.run, {
        argv: ["op", "item", "create", "--vault", vault, "--template", "/dev/stdin", "--format", "json"],
        env: options.env,
        stdin: JSON.stringify(template),
      });
      if (r === "missing") throw notInstalled();
      if (r.code !== 0) throw failure(r.stderr);
    },
    howToAdd: (field) => `add a field "${field}" to ${where}`,
  };
}

function keychain(options: StoreOptions): CredentialStore {
  const service = options.item ?? "Immich Backup B2";
  const where = `the macOS Keychain (service "${service}")`;
  return {
    kind: "keychain",
    description: where,
    async read(field) {
      const r = await capture(options.run, {
        argv: ["security", "find-generic-password", "-s", service, "-a", field, "-w"],
        env: options.env,
      });
      if (r === "missing") {
        throw new ConfigError(
          "the Keychain is only on macOS (`security` was not found); choose another credential store with " +
            "BACKUP_CREDENTIALS=1password or env",
        );
      }
      if (r.code === 0) return r.stdout === "" ? undefined : r.stdout;
      // 44: errSecItemNotFound.
      if (r.code === 44 || /could not be found/i.test(r.stderr)) return undefined;
      throw new ConfigError(`reading ${where} failed: ${r.stderr || `security exited with ${r.code}`}`);
    },
    howToAdd: (field) =>
      `run \`security add-generic-password -s "${service}" -a ${field} -w\` (it asks for the value)`,
  };
}

/**
 * Fills a plugin's credential options that no flag or environment variable set, from the store.
 * Returns the completed values and the credential options still missing (the plugin decides
 * which of those it needs).
 */
export async function fillCredentials(
  plugin: Plugin,
  options: { values: OptionValues; store: CredentialStore; redactor: Redactor },
): Promise<{ values: OptionValues; missing: string[] }> {
  const { store, redactor } = options;
  const out = { ...options.values };
  const missing: string[] = [];
  for (const spec of plugin.options) {
    if (!spec.credential) continue;
    if (out[spec.name] !== undefined && out[spec.name] !== "") continue;
    const value = await store.read(credentialField(spec.name));
    if (value === undefined) {
      missing.push(spec.name);
      continue;
    }
    // Parsed first: a secret too short to mask is refused before the redactor sees it.
    out[spec.name] = parseOptionValue(
      spec,
      value,
      `${store.description}, field ${credentialField(spec.name)}`,
    );
    if (spec.secret) redactor.add(value);
  }
  return { values: out, missing };
}

/** How to provide each missing credential: the store's field, the flag or the environment. */
export function missingCredentialsHelp(
  plugin: Plugin,
  options: { missing: readonly string[]; store: CredentialStore },
): string {
  const { missing, store } = options;
  return missing.map((name) => {
    const spec = plugin.options.find((o) => o.name === name)!;
    const env = envNames(plugin.id, spec)[0];
    // A secret has no flag: the variable, or a file named by <variable>_FILE.
    const direct = `${env}${
      spec.secret ? ` (or ${env}_FILE naming a file)` : ` or --${flagName(plugin.id, spec)}`
    }`;
    return store.kind === "env"
      ? `${name}: set ${direct}`
      : `${name}: ${store.howToAdd(credentialField(name))}, or set ${direct}`;
  }).join("; ");
}
