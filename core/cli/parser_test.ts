import assert from "node:assert/strict";
import { Command, InvalidArgumentError, Option, type OptionValues, ParserExit } from "./parser.ts";
import { suggestion } from "./parser_help.ts";

interface Run {
  code: number;
  out: string[];
  err: string[];
  /** The command whose action ran, with its values and those of its ancestors. */
  ran?: { name: string; opts: OptionValues; globals: OptionValues };
}

/** A small program shaped like photos-sync's: global options, two commands, one with subcommands. */
function program(run: Run): Command {
  const root = new Command("tool")
    .description("does things")
    .version("1.2.3")
    .option("--home <dir>", "data directory")
    .option(
      "--plugin <file>",
      "a plugin file (repeatable)",
      (v: string, prev: unknown) => [...prev as string[], v],
      [],
    )
    .option("-v, --verbose", "say more")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ out: (t) => run.out.push(t), err: (t) => run.err.push(t) });
  const record = (opts: OptionValues, command: Command) => {
    run.ran = { name: command.name(), opts: { ...opts }, globals: command.optsWithGlobals() };
  };
  root.command("copy")
    .description("copies")
    .option("--dry-run", "change nothing")
    .option("--limit <n>", "at most n", (v: string) => {
      if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError("give a whole number 1 or more.");
      return v;
    })
    .option("--delay <seconds>", "pause", "2")
    .option("--verify [source]", "check one source or all")
    .option("--uuid <id...>", "these ids")
    .addOption(new Option("--secret <value>").hideHelp())
    .action(record);
  const jobs = root.command("jobs").description("background jobs");
  jobs.command("install").option("--every <interval>", "how often", "6h").action(record);
  jobs.command("remove").action(record);
  return root;
}

async function parse(...args: string[]): Promise<Run> {
  const run: Run = { code: 0, out: [], err: [] };
  try {
    await program(run).parseAsync(args);
  } catch (e) {
    if (!(e instanceof ParserExit)) throw e;
    run.code = e.exitCode;
  }
  return run;
}

Deno.test("values: flags, values, defaults, optional and repeated values, --flag=value", async () => {
  const r = await parse(
    "copy",
    "--dry-run",
    "--limit=5",
    "--verify",
    "--uuid",
    "a",
    "b",
    "--uuid",
    "c",
    "--secret",
    "s",
  );
  assert.equal(r.code, 0, r.err.join("\n"));
  assert.deepEqual(r.ran?.opts, {
    delay: "2",
    dryRun: true,
    limit: "5",
    verify: true,
    uuid: ["a", "b", "c"],
    secret: "s",
  });
  assert.deepEqual((await parse("copy", "--verify", "photos", "--delay", "0")).ran?.opts, {
    delay: "0",
    verify: "photos",
  });
  assert.equal(
    (await parse("copy", "--limit", "1", "--limit", "9")).ran?.opts.limit,
    "9",
    "the last one wins",
  );
});

Deno.test("--no-x sets x to false; with --x beside it, leaving both out leaves x unset", async () => {
  const values = async (...args: string[]) => {
    const run: Run = { code: 0, out: [], err: [] };
    const root = new Command("tool").configureOutput({ out: () => {}, err: (t) => run.err.push(t) });
    root.command("copy").option("--pause", "pause").option("--no-pause", "never pause").action((opts) => {
      run.ran = { name: "copy", opts: { ...opts }, globals: {} };
    });
    try {
      await root.parseAsync(["copy", ...args]);
    } catch (e) {
      if (!(e instanceof ParserExit)) throw e;
      run.code = e.exitCode;
    }
    return run;
  };
  assert.deepEqual((await values()).ran?.opts, {}, "three states: not given is neither true nor false");
  assert.deepEqual((await values("--pause")).ran?.opts, { pause: true });
  assert.deepEqual((await values("--no-pause")).ran?.opts, { pause: false });
  assert.deepEqual((await values("--pause", "--no-pause")).ran?.opts, { pause: false }, "the last one wins");
  assert.equal(new Option("--no-pause").attributeName(), "pause");
  assert.equal(new Option("--nothing").attributeName(), "nothing", "only a `no-` word negates");
  const bad = await values("--no-pause=yes");
  assert.equal(bad.code, 2, "a negation takes no value");
});

Deno.test("global options count before or after the command, and with a group of short flags", async () => {
  const r = await parse(
    "--home",
    "/a",
    "copy",
    "--dry-run",
    "--home",
    "/b",
    "-v",
    "--plugin",
    "x",
    "--plugin=y",
  );
  assert.deepEqual(r.ran?.opts, { delay: "2", dryRun: true });
  assert.deepEqual(r.ran?.globals, {
    delay: "2",
    dryRun: true,
    plugin: ["x", "y"],
    home: "/b",
    verbose: true,
  });
  const nested = await parse("jobs", "install", "-v", "--every", "1h");
  assert.deepEqual(nested.ran, {
    name: "install",
    opts: { every: "1h" },
    globals: { every: "1h", plugin: [], verbose: true },
  });
  assert.equal((await parse("copy", "-vV")).out.join(), "1.2.3", "-v, then -V prints the version");
});

Deno.test("usage errors say what is wrong on stderr, then how to get help, and exit 2", async () => {
  const cases: [string[], string][] = [
    [["copy", "--dry-rnu"], "error: unknown option '--dry-rnu'\n(Did you mean --dry-run?)"],
    [["copy", "--nothing-like-it"], "error: unknown option '--nothing-like-it'"],
    [["copy", "--dry-run=1"], "error: unknown option '--dry-run=1'\n(Did you mean --dry-run?)"],
    [["copy", "--limit"], "error: option '--limit <n>' argument missing"],
    [
      ["copy", "--limit", "0"],
      "error: option '--limit <n>' argument '0' is invalid. give a whole number 1 or more.",
    ],
    [
      ["copy", "--limit", "-3"],
      "error: option '--limit <n>' argument '-3' is invalid. give a whole number 1 or more.",
    ],
    [["copy", "extra"], "error: too many arguments for 'copy'. Expected 0 arguments but got 1."],
    [["copy", "--", "--dry-run"], "error: too many arguments for 'copy'. Expected 0 arguments but got 1."],
    [["cpoy"], "error: unknown command 'cpoy'\n(Did you mean copy?)"],
    [["jobs", "bogus"], "error: unknown command 'bogus'"],
    [["--home"], "error: option '--home <dir>' argument missing"],
    [["--bogus"], "error: unknown option '--bogus'"],
  ];
  for (const [args, message] of cases) {
    const r = await parse(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.deepEqual(r.err, [message, "(run with --help for usage)"], args.join(" "));
    assert.equal(r.ran, undefined);
  }
});

Deno.test("help: asked for on stdout with exit 0; instead of a missing command on stderr with exit 2", async () => {
  for (const args of [["--help"], ["-h"], ["help"], ["--bogus", "--help"]]) {
    const r = await parse(...args);
    assert.equal(r.code, 0, args.join(" "));
    assert.match(r.out.join("\n"), /^Usage: tool \[options\] \[command\]\n/, args.join(" "));
  }
  for (const args of [["copy", "--help"], ["help", "copy"], ["copy", "--limit", "3", "-h"]]) {
    const r = await parse(...args);
    assert.equal(r.code, 0, args.join(" "));
    assert.match(r.out.join("\n"), /^Usage: tool copy \[options\]\n/, args.join(" "));
    assert.equal(r.ran, undefined, "help does not run the command");
  }
  for (const args of [[], ["-v"], ["jobs"], ["help", "nothing"]]) {
    const r = await parse(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.deepEqual(r.out, []);
    assert.match(r.err.join("\n"), /^Usage: tool /, args.join(" "));
  }
  assert.deepEqual((await parse("--version")).out, ["1.2.3"]);
});

Deno.test("help layout: aligned columns, wrapped descriptions, shown defaults, hidden options left out", () => {
  const root = program({ code: 0, out: [], err: [] });
  const copy = root.commands[0];
  copy.option("--long-one <x>", "a description long enough that it has to be wrapped onto a second line");
  assert.equal(
    copy.helpInformation(80),
    [
      "Usage: tool copy [options]",
      "",
      "copies",
      "",
      "Options:",
      "  --dry-run          change nothing",
      "  --limit <n>        at most n",
      '  --delay <seconds>  pause (default: "2")',
      "  --verify [source]  check one source or all",
      "  --uuid <id...>     these ids",
      "  --long-one <x>     a description long enough that it has to be wrapped onto a",
      "                     second line",
      "  -h, --help         display help for command",
      "",
      "Global Options:",
      "  -V, --version      output the version number",
      "  --home <dir>       data directory",
      "  --plugin <file>    a plugin file (repeatable) (default: [])",
      "  -v, --verbose      say more",
      "",
    ].join("\n"),
  );
  const narrow = copy.helpInformation(64).split("\n");
  assert.ok(narrow.every((line) => line.length <= 64), narrow.join("\n"));
  assert.ok(copy.helpInformation(60).includes("wrapped onto a second line"), "too narrow a column: no wrap");
  assert.equal(
    root.commands[1].helpInformation(80).split("\nCommands:\n")[1],
    ["  install [options]", "  remove", "  help [command]     display help for command", ""].join("\n"),
    "a command without options has no [options]; the help command comes last",
  );
});

Deno.test("help text added after the generated help follows it", async () => {
  const run: Run = { code: 0, out: [], err: [] };
  const root = program(run);
  root.commands[0].addHelpText("after", "\nmore to read");
  await assert.rejects(root.parseAsync(["copy", "--help"]), ParserExit);
  assert.equal(run.out.length, 2);
  assert.equal(run.out[1], "\nmore to read");
});

Deno.test("pre-action hooks run root first, after parsing succeeded, and may refuse", async () => {
  const calls: string[] = [];
  const run: Run = { code: 0, out: [], err: [] };
  const root = program(run).hook("preAction", (hooked, command) => {
    calls.push(`${hooked.name()}:${command.name()}`);
  });
  root.commands[0].hook("preAction", (hooked) => {
    calls.push(hooked.name());
    if (hooked.opts().dryRun) throw new Error("refused");
  });
  await root.parseAsync(["copy"]);
  assert.deepEqual(calls, ["tool:copy", "copy"]);
  assert.equal(run.ran?.name, "copy");
  await assert.rejects(root.parseAsync(["copy", "--dry-run"]), /refused/);
  await assert.rejects(root.parseAsync(["copy", "--bogus"]), ParserExit);
  assert.equal(calls.length, 4, "a usage error stops before the hooks");
});

Deno.test("an option or command declared twice is a programming error", () => {
  const root = new Command("tool").option("--home <dir>");
  assert.throws(() => root.option("--home <other>"), /clashes/);
  root.command("copy");
  assert.throws(() => root.command("copy"), /twice/);
});

Deno.test("suggestions: the nearest names within three edits, several when equally near", () => {
  assert.equal(suggestion("--jsn", ["--json", "--help"]), "\n(Did you mean --json?)");
  assert.equal(suggestion("stats", ["status", "state", "scan"]), "\n(Did you mean one of state, status?)");
  assert.equal(suggestion("--x", ["--json"]), "");
  assert.equal(suggestion("improt", ["import"]), "\n(Did you mean import?)", "a swap is one edit");
});
