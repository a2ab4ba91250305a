import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, FatalError, PermanentError, RetryableError } from "../../../core/plugin/errors.ts";
import { fixtureLibrary, HEADER_DIR, nativeAsset } from "./_fixture_library.ts";
import {
  ABI_VERSION,
  bridgeError,
  callJson,
  ERROR_CODES,
  LIBRARY_FILE,
  libraryCandidates,
  openBridgeLibrary,
  SYMBOLS,
  takeResponse,
} from "./ffi.ts";

const HEADER = await Deno.readTextFile(join(HEADER_DIR, "photos_bridge.h"));
const SWIFT_DIR = fileURLToPath(new URL("../../../swift/Sources", import.meta.url));
const FIXTURE_C = await Deno.readTextFile(
  fileURLToPath(new URL("./testdata/fixture_bridge.c", import.meta.url)),
);

/** `int32_t psb_cancel(uint64_t token);` -> { name, result, parameters } in Deno's FFI types. */
function headerFunctions(): Map<string, { result: string; parameters: string[] }> {
  const deno = (cType: string): string => {
    const t = cType.replace(/\b\w+$/, (word) => /^(void|int32_t|int64_t|uint64_t)$/.test(word) ? word : "")
      .replace(/\s+/g, " ").trim();
    if (t === "void") return "void";
    if (t === "int32_t") return "i32";
    if (t === "int64_t") return "i64";
    if (t === "uint64_t") return "u64";
    if (t === "psb_progress_fn") return "function";
    if (t === "const char *") return "buffer";
    if (t === "char *") return "pointer";
    throw new Error(`unexpected C type in photos_bridge.h: ${cType}`);
  };
  const functions = new Map<string, { result: string; parameters: string[] }>();
  for (const m of HEADER.matchAll(/^([a-z0-9_]+(?: \*)?)\s*(psb_[a-z_]+)\(([^)]*)\);/gm)) {
    const [, result, name, params] = m;
    const parameters = params.trim() === "void" ? [] : params.split(",").map((p) => deno(p.trim()));
    functions.set(name, { result: deno(result.trim()), parameters });
  }
  return functions;
}

Deno.test("photos_bridge.h, the Deno symbol table, the C fixture and Exports.swift declare the same ABI", async () => {
  const header = headerFunctions();
  assert.equal(header.size, 15, "the header declares the fifteen functions of the ABI");
  assert.equal(Number(HEADER.match(/#define PSB_ABI_VERSION (\d+)/)![1]), ABI_VERSION);

  // Deno: every function, with the same C types, and nothing more.
  assert.deepEqual(Object.keys(SYMBOLS).sort(), [...header.keys()].sort());
  for (const [name, c] of header) {
    const symbol = SYMBOLS[name as keyof typeof SYMBOLS];
    assert.deepEqual([...symbol.parameters], c.parameters, `${name} parameters`);
    assert.equal(symbol.result, c.result, `${name} result`);
  }

  // C fixture: defines every function, and keeps everything else static.
  const defined = [...FIXTURE_C.matchAll(/^(?!static)[a-z0-9_]+(?: \*)?\s*(psb_[a-z_]+)\([^)]*\)\s*\{/gm)]
    .map((m) => m[1]);
  assert.deepEqual(defined.sort(), [...header.keys()].sort());

  // Swift: every symbol is exported from Exports.swift, and no other Swift file exports any.
  const cdecls = new Map<string, string[]>();
  for await (const file of walk(SWIFT_DIR)) {
    if (!file.endsWith(".swift")) continue;
    const names = [...(await Deno.readTextFile(file)).matchAll(/@_cdecl\("([a-z_]+)"\)/g)].map((m) => m[1]);
    if (names.length > 0) cdecls.set(file.slice(SWIFT_DIR.length + 1), names);
  }
  assert.deepEqual([...cdecls.keys()], ["PhotosBridge/Exports.swift"]);
  assert.deepEqual(cdecls.get("PhotosBridge/Exports.swift")!.sort(), [...header.keys()].sort());
});

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else yield path;
  }
}

Deno.test("a missing library is a configuration error that says where it looked and how to build it", () => {
  const path = "/nonexistent/photos-sync/libPhotosBridge.dylib";
  assert.throws(() => openBridgeLibrary({ path }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, new RegExp(`${LIBRARY_FILE} was not found \\(looked at ${path}\\)`));
    assert.match(e.message, /swift build -c release --package-path swift/);
    assert.match(e.message, /PHOTOS_SYNC_PHOTOKIT_LIB/);
    assert.match(e.message, /--source photoslibrary/);
    return true;
  });
});

Deno.test("without a path the library is looked for next to the executable first", () => {
  const candidates = libraryCandidates();
  assert.equal(candidates[0], join(Deno.execPath(), "..", LIBRARY_FILE));
  assert.ok(candidates.some((c) => c.endsWith(join("swift", ".build", "release", LIBRARY_FILE))));
});

Deno.test({
  name: "a library of another ABI version is refused, naming both versions",
  sanitizeResources: true,
  fn: async () => {
    await using lib = await fixtureLibrary({ assets: [] }, { abiVersion: ABI_VERSION + 1 });
    assert.throws(
      () => openBridgeLibrary({ path: lib.path }),
      (e: Error) =>
        e instanceof ConfigError &&
        e.message.includes(`speaks ABI version ${ABI_VERSION + 1}`) &&
        e.message.includes(`needs version ${ABI_VERSION}`),
    );
  },
});

Deno.test("a file that is not a loadable library is a configuration error naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, LIBRARY_FILE);
    await Deno.writeTextFile(path, "not a library");
    assert.throws(
      () => openBridgeLibrary({ path }),
      (e: Error) => e instanceof ConfigError && e.message.includes(path),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "every string the library returns is released exactly once, answers and errors alike",
  sanitizeResources: true,
  fn: async () => {
    await using lib = await fixtureLibrary({ assets: [nativeAsset("A0000000-0000-4000-8000-000000000001")] });
    const { library } = openBridgeLibrary({ path: lib.path });
    try {
      assert.equal(library.symbols.psb_abi_version(), ABI_VERSION);
      assert.equal(Number(library.symbols.psb_outstanding()), 0);
      // A raw call leaves one string with the caller until takeResponse frees it.
      const pointer = await library.symbols.psb_authorize(new TextEncoder().encode('{"prompt":false}\0'));
      assert.equal(Number(library.symbols.psb_outstanding()), 1);
      assert.deepEqual(takeResponse(library, pointer), { status: "authorized" });
      assert.equal(Number(library.symbols.psb_outstanding()), 0);
      // An error answer is freed too, before the error is thrown.
      await assert.rejects(
        callJson(library, { symbol: "psb_list", request: { cursor: "bogus" } }),
        FatalError,
      );
      await assert.rejects(
        callJson(library, { symbol: "psb_delete", request: { ids: "not a list" } }),
        FatalError,
      );
      const page = await callJson(library, { symbol: "psb_list", request: { limit: 10 } }) as {
        assets: unknown[];
        cursor: null;
      };
      assert.equal(page.assets.length, 1);
      assert.equal(page.cursor, null);
      assert.equal(Number(library.symbols.psb_outstanding()), 0);
      // psb_free(NULL) is allowed and changes nothing.
      library.symbols.psb_free(null);
      assert.equal(Number(library.symbols.psb_outstanding()), 0);
    } finally {
      library.close();
    }
  },
});

Deno.test({
  name: "a request with text beyond ASCII crosses the boundary intact",
  sanitizeResources: true,
  fn: async () => {
    const uuid = "A0000000-0000-4000-8000-000000000002";
    const title = 'Frühstück, "Römermuseum" ✓ 🎉';
    await using lib = await fixtureLibrary({
      assets: [
        nativeAsset(uuid, { albums: [{ localIdentifier: "B/L0/040", title, folders: ["Reisen\\2024"] }] }),
      ],
    });
    const { library } = openBridgeLibrary({ path: lib.path });
    try {
      const page = await callJson(library, { symbol: "psb_list", request: { limit: 1 } }) as {
        assets: { albums: { title: string; folders: string[] }[] }[];
      };
      assert.equal(page.assets[0].albums[0].title, title);
      assert.deepEqual(page.assets[0].albums[0].folders, ["Reisen\\2024"]);
      // Ids are echoed as given, so a non-ASCII id must survive both ways.
      const result = await callJson(library, { symbol: "psb_delete", request: { ids: ["ünknown-✓"] } }) as {
        notFound: string[];
      };
      assert.deepEqual(result.notFound, ["ünknown-✓"]);
    } finally {
      library.close();
    }
  },
});

Deno.test("each error code of the library maps to its error class, with what to do", () => {
  const expected: Record<string, unknown> = {
    bad_request: FatalError,
    not_authorized: ConfigError,
    not_found: PermanentError,
    network_required: RetryableError,
    network: RetryableError,
    timeout: RetryableError,
    cancelled: RetryableError,
    exists: PermanentError,
    io: RetryableError,
    no_space: FatalError,
    library_unavailable: FatalError,
    declined: FatalError,
    automation_denied: ConfigError,
    unsupported: PermanentError,
    internal: RetryableError,
  };
  assert.deepEqual(Object.keys(ERROR_CODES).sort(), Object.keys(expected).sort());
  // Every code of the header is mapped.
  const documented = [...HEADER.matchAll(/^ \* {5}([a-z_]+)\s{2,}/gm)].map((m) => m[1]);
  assert.deepEqual(documented.sort(), Object.keys(expected).sort());
  for (const [code, Kind] of Object.entries(expected)) {
    const error = bridgeError(code, "IMG_0001.HEIC: something happened");
    assert.ok(error instanceof (Kind as typeof Error), `${code} -> ${(Kind as typeof Error).name}`);
    assert.ok(error.message.startsWith("IMG_0001.HEIC: something happened"));
    assert.equal(Reflect.get(error, "code"), code);
  }
  assert.match(bridgeError("network_required", "x").message, /--include-cloud/);
  assert.match(bridgeError("not_authorized", "x").message, /Privacy & Security > Photos/);
  // A code a newer library invents is retried, not fatal.
  assert.ok(bridgeError("something_new", "x") instanceof RetryableError);
});
