/**
 * Writes `docs/configuration.md` from the option declarations of the CLI (`CORE_OPTIONS`) and of every
 * built-in plugin, so the page cannot drift from what the code accepts.
 * `tests/configuration_page_test.ts` fails when the committed page is out of date.
 *
 * Regenerate: `deno run -A docs/configuration_page.ts`
 * @module
 */
import { CORE_OPTIONS } from "../core/config/mod.ts";
import { MIN_SECRET_LENGTH } from "../core/plugin/options.ts";
import { envNames, flagName, type OptionSpec, secretFileFlag } from "../core/plugin/options.ts";
import type { Plugin } from "../core/plugin/types.ts";
import { BUILTIN_PLUGINS } from "../plugins/mod.ts";

/** The command that rewrites the page; the test's failure message names it. */
export const REGENERATE = "deno run -A docs/configuration_page.ts";

/** Defaults that depend on the machine the page is generated on are written as the rule instead. */
const DEFAULTS_BY_RULE: Record<string, string> = {
  "core source": "`photokit` on macOS, else `photoslibrary`",
};

/** Options whose flag the CLI declares itself, in another shape than the option's own. */
const FLAGS_BY_CLI: Record<string, string> = {
  "core plugins": "`--plugin` (repeatable)",
};

const INTRO = `# Configuration

<!-- Generated from the option declarations by \`${REGENERATE}\`; do not edit by hand. -->

Every setting can be a flag, an environment variable or a line in the \`.env\` file. The first one found
wins, in this order: the flag, then the environment, then \`.env\`, then what the last import remembered
(see [commands.md](commands.md)), then the default. The \`.env\` file is \`<home>/.env\` unless \`--env-file\` or
\`PHOTOS_SYNC_ENV_FILE\` names another; it takes \`KEY=value\` lines, \`#\` comments, optional \`export\` and
quotes. photos-sync never writes it, and warns when other users can read it.

The data directory (\`<home>\`) holds the tracker (\`tracker.db\`, with \`tracker.db.checked\`: see
[failures](failures.md#the-data-directory-and-the-tracker)), the \`.env\` file, the sidecar store
(\`sidecars/\`) and the job logs (\`logs/\`). It is \`~/Library/Application Support/photos-sync\` on macOS and
\`$XDG_DATA_HOME/photos-sync\` (default \`~/.local/share/photos-sync\`) elsewhere; \`--home\` or
\`PHOTOS_SYNC_HOME\` overrides it. A data directory photos-sync creates is private (mode 0700).

Option \`name\` of plugin \`<kind>.<id>\` is the flag \`--<id>-<name>\` and the variable
\`PHOTOS_SYNC_<ID>_<NAME>\`; some also accept the predecessor's names (\`IMMICH_URL\`). \`<command> --help\`
lists the flags. \`PHOTOS_SYNC_DEBUG=1\` prints stack traces with errors.

## Secrets

Options marked *secret* are never accepted as flags (\`ps\` and the shell history would show them). They come
from, first to last: the environment; a file named by \`<VARIABLE>_FILE\` or by the \`--<flag>-file\` flag
(which wins over both; the file holds the secret alone, one final line break is ignored); \`<home>/.env\`
(where \`<VARIABLE>_FILE\` works too); and for options marked *credential*, the credential store chosen with
\`--backup-credentials\` (see [backups.md](backups.md#credentials)). A secret shorter than
${MIN_SECRET_LENGTH} characters is refused, so that every secret can be masked as \`***\` in all output and logs.
Secrets are never written to the tracker and never passed to other programs in their arguments.
`;

/** The whole page. */
export function configurationPage(): string {
  const sections = [optionTable("core", "Global options", CORE_OPTIONS)];
  for (const plugin of BUILTIN_PLUGINS) {
    if (plugin.options.length > 0) sections.push(pluginSection(plugin));
  }
  return `${INTRO}\n${sections.join("\n")}`;
}

function pluginSection(plugin: Plugin): string {
  const where = plugin.platforms ? ` (${plugin.platforms.join(", ")} only)` : "";
  return optionTable(plugin.id, `\`${plugin.id}\`: ${plugin.description}${where}`, plugin.options);
}

function optionTable(owner: string, title: string, specs: readonly OptionSpec[]): string {
  const rows = specs.map((spec) => optionRow(owner, spec));
  return [
    `## ${title}`,
    "",
    "| flag | variables | default | meaning |",
    "| ---- | --------- | ------- | ------- |",
    ...rows,
    "",
  ].join("\n");
}

function optionRow(owner: string, spec: OptionSpec): string {
  // A boolean not off by default has `--no-` too (core/cli/flags.ts): there, leaving it out is not false.
  const negated = spec.type === "boolean" && spec.default !== false
    ? `, \`--no-${flagName(owner, spec)}\``
    : "";
  const flag = FLAGS_BY_CLI[`${owner} ${spec.name}`] ??
    (spec.secret ? `\`--${secretFileFlag(owner, spec)}\`` : `\`--${flagName(owner, spec)}\`${negated}`);
  const names = [...(spec.env ?? []), ...envNames(owner, spec).filter((n) => !spec.env?.includes(n))];
  const variables = names.map((n) => `\`${n}\``).join(", ");
  return `| ${flag} | ${variables} | ${defaultText(owner, spec)} | ${meaning(spec)} |`;
}

function defaultText(owner: string, spec: OptionSpec): string {
  const rule = DEFAULTS_BY_RULE[`${owner} ${spec.name}`];
  if (rule) return rule;
  // A boolean left unset is neither on nor off: the plugin decides (its meaning says how).
  if (spec.default === undefined && spec.type === "boolean") return "automatic";
  if (spec.default === undefined) return spec.required ? "required" : "";
  return `\`${Array.isArray(spec.default) ? spec.default.join(",") : spec.default}\``;
}

function meaning(spec: OptionSpec): string {
  const marks = [spec.secret && "secret", spec.credential && "credential"].filter(Boolean);
  const parts = [spec.help.replaceAll("|", "\\|")];
  if (spec.choices) parts.push(`one of ${spec.choices.map((c) => `\`${c}\``).join(", ")}`);
  if (spec.range) parts.push(`${spec.range[0]} to ${spec.range[1]}`);
  if (marks.length > 0) parts.push(`*${marks.join(", ")}*`);
  return parts.join("; ");
}

/** The page as `deno fmt` lays it out, which is how it is committed. */
export async function formattedConfigurationPage(): Promise<string> {
  const fmt = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = fmt.stdin.getWriter();
  await writer.write(new TextEncoder().encode(configurationPage()));
  await writer.close();
  const { success, stdout, stderr } = await fmt.output();
  if (!success) {
    throw new Error(`deno fmt of the configuration page failed: ${new TextDecoder().decode(stderr)}`);
  }
  return new TextDecoder().decode(stdout);
}

if (import.meta.main) {
  await Deno.writeTextFile(
    new URL("./configuration.md", import.meta.url),
    await formattedConfigurationPage(),
  );
}
