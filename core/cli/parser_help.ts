/**
 * The help text of `parser.ts` and its "did you mean" suggestions, laid out as commander 14 lays
 * them out, column for column, so the text the commands print did not change with the parser.
 * @module
 */
import type { Option } from "./parser_option.ts";

/** What help reads of a command (`parser.ts`'s `Command`, named here without importing it back). */
export interface HelpSubject {
  name(): string;
  readonly about: string;
  readonly options: readonly Option[];
  readonly commands: readonly HelpSubject[];
  readonly parent: HelpSubject | null;
}

/** The help option every command has; help lists it after the command's own options. */
export const HELP_FLAGS: readonly string[] = ["-h", "--help"];
const HELP_OPTION_ITEM = ["-h, --help", "display help for command"];
const HELP_COMMAND_ITEM = ["help [command]", "display help for command"];

/** The command's options that help lists (the help option aside). */
export function listedOptions(cmd: HelpSubject): Option[] {
  return cmd.options.filter((o) => !o.hidden);
}

function optionDescription(option: Option): string {
  const shown = option.defaultValue !== undefined &&
    (option.takesValue || typeof option.defaultValue === "boolean");
  if (!shown) return option.description;
  const extra = `(default: ${JSON.stringify(option.defaultValue)})`;
  return option.description ? `${option.description} ${extra}` : extra;
}

/** The help of `cmd` wrapped at `width` columns, ending with a newline. */
export function formatHelp(cmd: HelpSubject, width: number): string {
  const ancestors = [];
  for (let c = cmd.parent; c; c = c.parent) ancestors.unshift(c.name());
  const usage = [...ancestors, cmd.name(), "[options]", ...(cmd.commands.length ? ["[command]"] : [])];

  const options = [...listedOptions(cmd).map((o) => [o.flags, optionDescription(o)]), HELP_OPTION_ITEM];
  const globals: string[][] = [];
  for (let c = cmd.parent; c; c = c.parent) {
    globals.push(...listedOptions(c).map((o) => [o.flags, optionDescription(o)]));
  }
  const commands = cmd.commands.map((c) => [
    c.name() + (c.options.length ? " [options]" : ""),
    c.about,
  ]);
  if (cmd.commands.length) commands.push(HELP_COMMAND_ITEM);

  const termWidth = Math.max(0, ...[...options, ...globals, ...commands].map(([term]) => term.length));
  const lines = [`Usage: ${usage.join(" ")}`, ""];
  if (cmd.about) lines.push(wrap(cmd.about, width), "");
  const section = (title: string, items: string[][]) => {
    if (items.length === 0) return;
    lines.push(title, ...items.map(([term, text]) => formatItem(term, text, termWidth, width)), "");
  };
  section("Options:", options);
  section("Global Options:", globals);
  section("Commands:", commands);
  return lines.join("\n");
}

/** `  term  description`, the description wrapped in its column unless that column is too narrow. */
function formatItem(term: string, description: string, termWidth: number, width: number): string {
  if (!description) return `  ${term}`;
  const column = width - termWidth - 4;
  const preformatted = /\n[^\S\r\n]/.test(description);
  const text = column < MIN_WRAP_WIDTH || preformatted
    ? description
    : wrap(description, column).replaceAll("\n", "\n" + " ".repeat(termWidth + 2));
  return `  ${term.padEnd(termWidth)}  ${text.replaceAll("\n", "\n  ")}`;
}

const MIN_WRAP_WIDTH = 40;

/** Wraps at spaces so that no line is longer than `width` (a longer word stays whole). */
function wrap(text: string, width: number): string {
  if (width < MIN_WRAP_WIDTH) return text;
  const wrapped: string[] = [];
  for (const line of text.split(/\r\n|\n/)) {
    const chunks = line.match(/\s*\S+/g); // each word with the space before it
    if (!chunks) {
      wrapped.push("");
      continue;
    }
    let current = chunks[0];
    for (const chunk of chunks.slice(1)) {
      if (current.length + chunk.length <= width) current += chunk;
      else {
        wrapped.push(current);
        current = chunk.trimStart();
      }
    }
    wrapped.push(current);
  }
  return wrapped.join("\n");
}

// ---- "Did you mean": the closest names, by edit distance (adjacent swaps count as one edit). ----

const MAX_DISTANCE = 3;

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > MAX_DISTANCE) return Math.max(a.length, b.length);
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let j = 1; j <= b.length; j++) {
    for (let i = 1; i <= a.length; i++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** `\n(Did you mean x?)` for the candidates nearest to `word`, or "" when none is near. */
export function suggestion(word: string, candidates: readonly string[]): string {
  const dashes = word.startsWith("--") ? "--" : "";
  const bare = word.slice(dashes.length);
  let best = MAX_DISTANCE;
  let similar: string[] = [];
  for (const candidate of new Set(candidates.map((c) => c.slice(dashes.length)))) {
    if (candidate.length <= 1) continue;
    const distance = editDistance(bare, candidate);
    const length = Math.max(bare.length, candidate.length);
    if ((length - distance) / length <= 0.4) continue;
    if (distance < best) {
      best = distance;
      similar = [candidate];
    } else if (distance === best) similar.push(candidate);
  }
  similar = similar.sort((a, b) => a.localeCompare(b)).map((c) => dashes + c);
  if (similar.length > 1) return `\n(Did you mean one of ${similar.join(", ")}?)`;
  return similar.length === 1 ? `\n(Did you mean ${similar[0]}?)` : "";
}
