import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { crc32 as zlibCrc32, inflateSync } from "node:zlib";
import { crc32, encodePng, PNG_SIGNATURE } from "./_png.ts";
import { encodeBinaryPlist } from "./_bplist.ts";
import { withSampleLibrary } from "./_test_context.ts";
import { writeSampleLibrary } from "./sample_library.ts";

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

interface Chunk {
  type: string;
  data: Uint8Array;
  crc: number;
}

function pngChunks(bytes: Uint8Array): Chunk[] {
  assert.deepEqual([...bytes.subarray(0, 8)], [...PNG_SIGNATURE], "PNG signature");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Chunk[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = view.getUint32(at);
    const type = new TextDecoder().decode(bytes.subarray(at + 4, at + 8));
    chunks.push({
      type,
      data: bytes.subarray(at + 8, at + 8 + length),
      crc: view.getUint32(at + 8 + length),
    });
    // An independent CRC (node:zlib) checks ours.
    assert.equal(
      view.getUint32(at + 8 + length),
      zlibCrc32(bytes.subarray(at + 4, at + 8 + length)),
      `${type} CRC`,
    );
    at += 12 + length;
  }
  return chunks;
}

function boxes(
  bytes: Uint8Array,
  from = 0,
  to = bytes.length,
): { type: string; start: number; end: number }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  for (let at = from; at < to;) {
    const size = view.getUint32(at);
    assert.ok(size >= 8 && at + size <= to, `box at ${at} has a sane size`);
    out.push({
      type: new TextDecoder().decode(bytes.subarray(at + 4, at + 8)),
      start: at + 8,
      end: at + size,
    });
    at += size;
  }
  return out;
}

/** Just enough of a bplist00 reader to check what the writer wrote. */
function decodeBinaryPlist(bytes: Uint8Array): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const trailer = bytes.length - 32;
  const offsetSize = bytes[trailer + 6];
  const refSize = bytes[trailer + 7];
  const count = Number(view.getBigUint64(trailer + 8));
  const top = Number(view.getBigUint64(trailer + 16));
  const table = Number(view.getBigUint64(trailer + 24));
  const uint = (at: number, size: number) => bytes.subarray(at, at + size).reduce((n, b) => n * 256 + b, 0);
  const offsets = Array.from({ length: count }, (_, i) => uint(table + i * offsetSize, offsetSize));
  const read = (index: number): unknown => {
    const at = offsets[index];
    const marker = bytes[at];
    const high = marker >> 4;
    let length = marker & 0xf;
    let body = at + 1;
    if (high !== 1 && length === 0xf) {
      const size = 1 << (bytes[body] & 0xf);
      length = uint(body + 1, size);
      body += 1 + size;
    }
    switch (high) {
      case 0:
        return marker === 0x09;
      case 1:
        return uint(body, 1 << length);
      case 5:
        return new TextDecoder().decode(bytes.subarray(body, body + length));
      case 0xa:
        return Array.from({ length }, (_, i) => read(uint(body + i * refSize, refSize)));
      case 0xd:
        return Object.fromEntries(Array.from({ length }, (_, i) => [
          read(uint(body + i * refSize, refSize)),
          read(uint(body + (length + i) * refSize, refSize)),
        ]));
      default:
        throw new Error(`test decoder does not read marker ${marker.toString(16)}`);
    }
  };
  return read(top);
}

Deno.test("crc32 matches node:zlib on the PNG chunk types", () => {
  for (const s of ["IHDR", "IEND", "", "photos-sync"]) {
    const bytes = new TextEncoder().encode(s);
    assert.equal(crc32(bytes), zlibCrc32(bytes));
  }
});

Deno.test("encodePng rejects pixel data of the wrong size", () => {
  assert.throws(() => encodePng(new Uint8Array(5), { width: 2, height: 2 }), RangeError);
});

Deno.test("the sample's images are real PNGs: valid chunks and CRCs, IDAT inflates to width*height rows", async () => {
  await withSampleLibrary((info) => {
    const pngs = filesUnder(join(info.path, "originals")).filter((f) => f.endsWith(".png"));
    assert.equal(pngs.length, 7, "seven photos (the Live Photo still included)");
    const db = new DatabaseSync(info.database, { readOnly: true });
    try {
      for (const file of pngs) {
        const chunks = pngChunks(readFileSync(file));
        assert.deepEqual(chunks.map((c) => c.type), ["IHDR", "tEXt", "IDAT", "IEND"]);
        const ihdr = new DataView(chunks[0].data.buffer, chunks[0].data.byteOffset, 13);
        const [width, height] = [ihdr.getUint32(0), ihdr.getUint32(4)];
        assert.deepEqual([...chunks[0].data.subarray(8)], [8, 2, 0, 0, 0], "8-bit RGB, no interlace");
        const raw = inflateSync(chunks[2].data);
        assert.equal(raw.length, height * (1 + width * 3));
        for (let y = 0; y < height; y++) assert.ok(raw[y * (1 + width * 3)] <= 4, "row filter byte");
        const uuid = file.split("/").at(-1)!.replace(".png", "");
        assert.match(new TextDecoder("latin1").decode(chunks[1].data), new RegExp(`^Comment\0.*${uuid}$`));
        const row = db.prepare("SELECT ZWIDTH, ZHEIGHT FROM ZASSET WHERE ZUUID = ?").get(uuid);
        assert.deepEqual([row?.ZWIDTH, row?.ZHEIGHT], [width, height], "database dimensions match the file");
      }
    } finally {
      db.close();
    }
  });
});

Deno.test("the sample's videos are QuickTime box trees; the motion video carries the content identifier", async () => {
  await withSampleLibrary((info) => {
    const dir = join(info.path, "originals", info.uuids.live[0]);
    const motion = readFileSync(join(dir, `${info.uuids.live}_3.mov`));
    const top = boxes(motion);
    assert.deepEqual(top.map((b) => b.type), ["ftyp", "mdat", "moov"]);
    const moov = top[2];
    const inner = boxes(motion, moov.start, moov.end);
    assert.deepEqual(inner.map((b) => b.type), ["mvhd", "meta"]);
    const meta = new TextDecoder().decode(motion.subarray(inner[1].start, inner[1].end));
    assert.ok(meta.includes("com.apple.quicktime.content.identifier"));
    assert.ok(meta.includes(info.facts.liveContentId));
    const video = readFileSync(join(info.path, "originals", info.uuids.video[0], `${info.uuids.video}.mov`));
    assert.deepEqual(boxes(video).map((b) => b.type), ["ftyp", "mdat", "moov"]);
  });
});

Deno.test("the sample's database uses the real macOS 26.1 names, entities and model version", async () => {
  await withSampleLibrary((info) => {
    assert.ok(statSync(`${info.database}-wal`).size > 0, "the last transaction stays in the WAL");
    const db = new DatabaseSync(info.database, { readOnly: true });
    try {
      const columns = (table: string) =>
        db.prepare("SELECT name FROM pragma_table_info(?)").all(table).map((r) => r.name);
      assert.deepEqual(columns("Z_33ASSETS"), ["Z_33ALBUMS", "Z_3ASSETS", "Z_FOK_3ASSETS"]);
      assert.deepEqual(columns("Z_1KEYWORDS"), ["Z_1ASSETATTRIBUTES", "Z_52KEYWORDS"]);
      const entity = (name: string) =>
        db.prepare("SELECT Z_ENT FROM Z_PRIMARYKEY WHERE Z_NAME = ?").get(name)?.Z_ENT;
      assert.deepEqual(["Asset", "Album", "Folder", "Keyword"].map(entity), [3, 33, 41, 52]);
      assert.equal(db.prepare("SELECT count(*) AS n FROM ZGENERICALBUM WHERE ZKIND = 3999").get()?.n, 1);
      const metadata = db.prepare("SELECT Z_PLIST FROM Z_METADATA ORDER BY Z_VERSION DESC LIMIT 1").get();
      const plist = metadata?.Z_PLIST as Uint8Array;
      assert.equal(new TextDecoder().decode(plist.subarray(0, 8)), "bplist00");
      assert.equal((decodeBinaryPlist(plist) as Record<string, unknown>).PLModelVersion, 19320);
      const resources = db.prepare(
        "SELECT ZDATASTORESUBTYPE AS subtype, ZRESOURCETYPE AS type, ZLOCALAVAILABILITY AS local FROM ZINTERNALRESOURCE r JOIN ZASSET a ON a.Z_PK = r.ZASSET WHERE a.ZUUID = ? ORDER BY 1",
      ).all(info.uuids.live);
      assert.deepEqual(resources.map((r) => ({ ...r })), [
        { subtype: 1, type: 0, local: 1 },
        { subtype: 18, type: 3, local: 1 },
      ]);
    } finally {
      db.close();
    }
  });
});

Deno.test("encodeBinaryPlist round-trips nested values, long strings and many objects", () => {
  const value = { n: 70000, s: "x".repeat(20), list: Array.from({ length: 300 }, (_, i) => i), yes: true };
  assert.deepEqual(decodeBinaryPlist(encodeBinaryPlist(value)), value);
});

Deno.test("the same seed gives the same UUIDs and bytes; another seed does not", async () => {
  const snapshot = (path: string) =>
    filesUnder(join(path, "originals")).map((
      f,
    ) => [f.slice(path.length), createHash("sha1").update(readFileSync(f)).digest("hex")]);
  const rows = (database: string) => {
    const db = new DatabaseSync(database, { readOnly: true });
    try {
      return db.prepare("SELECT * FROM ZASSET ORDER BY Z_PK").all().map((r) => ({ ...r }));
    } finally {
      db.close();
    }
  };
  const [a, filesA, rowsA] = await withSampleLibrary(
    (i) => [i, snapshot(i.path), rows(i.database)] as const,
    {
      seed: 7,
    },
  );
  const [b, filesB, rowsB] = await withSampleLibrary(
    (i) => [i, snapshot(i.path), rows(i.database)] as const,
    {
      seed: 7,
    },
  );
  assert.deepEqual(b.uuids, a.uuids);
  assert.deepEqual(b.facts, a.facts);
  assert.deepEqual(filesB, filesA);
  assert.deepEqual(rowsB, rowsA);
  const other = await withSampleLibrary((i) => i.uuids, { seed: 8 });
  assert.notEqual(other.live, a.uuids.live);
});

Deno.test("1,000 assets generate quickly, every file exists and every file's SHA-1 is unique", async () => {
  const started = performance.now();
  await withSampleLibrary((info) => {
    assert.equal(info.assets, 1000);
    const db = new DatabaseSync(info.database, { readOnly: true });
    try {
      assert.equal(db.prepare("SELECT count(*) AS n FROM ZASSET").get()?.n, 1000);
      const expected = db.prepare("SELECT count(*) AS n FROM ZINTERNALRESOURCE").get()?.n;
      const files = filesUnder(join(info.path, "originals"));
      assert.equal(files.length, expected, "one file per resource row");
      const hashes = new Set(files.map((f) => createHash("sha1").update(readFileSync(f)).digest("hex")));
      assert.equal(hashes.size, files.length);
      const kinds = db.prepare("SELECT ZKIND, ZKINDSUBTYPE, count(*) AS n FROM ZASSET GROUP BY 1, 2").all();
      assert.equal(kinds.length, 3, "photos, Live Photos and videos");
    } finally {
      db.close();
    }
  }, { assets: 1000 });
  assert.ok(performance.now() - started < 20_000, "1,000 assets in well under 20 s");
});

Deno.test("files: false writes only the database", async () => {
  await withSampleLibrary((info) => {
    assert.deepEqual(readdirSync(info.path), ["database"]);
  }, { assets: 50, files: false });
});

Deno.test("writeSampleLibrary refuses a non-empty directory and fewer than 8 assets", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(root, "keep.txt"), "mine");
    await assert.rejects(writeSampleLibrary(root), /not empty/);
    await assert.rejects(writeSampleLibrary(join(root, "x.photoslibrary"), { assets: 3 }), RangeError);
    assert.deepEqual(readdirSync(root), ["keep.txt"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
