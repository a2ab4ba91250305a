/**
 * Replays the real server's recorded transcripts against the emulator and reports every way the
 * emulator's answers differ: status, key sets (exact), JSON types, and the values that carry
 * meaning (statuses, actions, messages, visibility, links, counts...).
 *
 * The recordings hold no file bytes, only each file's size and SHA-1. Files are replaced by
 * synthetic bytes of the same size derived from the recorded SHA-1, so equal recorded bytes stay
 * equal and different ones differ; checksums in later requests and answers are translated.
 * Recorded ids are translated to the emulator's as the answers reveal them.
 * @module
 */
import { IMMICH, LIBRARIES } from "../shared_data.ts";
import { createHash } from "node:crypto";
import type { Emulator } from "./app.ts";
import type { OpenApiChecker } from "./_openapi.ts";
import { base64OfHex, normaliseChecksum } from "./_state.ts";

export const TRANSCRIPTS = new URL(`file://${IMMICH}transcripts-v1.135.3/`);
/** The order the files were recorded in (each sees the state the previous ones left). */
export const RUN_ORDER = [
  "00",
  "01",
  "02",
  "04",
  "03",
  "05",
  "06",
  "07",
  "08",
  "09",
  "10",
  "11",
  "12",
  "13",
  "05b",
  "14",
  "15",
  "16",
  "17",
];

/**
 * Files the recordings uploaded that the shared test libraries hold byte for byte (by SHA-1): these
 * are sent as themselves, so what the server read from them (capture date, caption) is compared.
 */
const REAL_FILES: Record<string, string> = {
  "8d572eac7f8445649b93bccb6dae0bf085ebfa60":
    "Test-Cloud-13.1.photoslibrary/originals/A/A67D1DD2-B304-4F6E-BD3B-2838AD50E878.jpeg",
  "fe7ca405a91bf4a745395f3981e9a89f8aa418af":
    "Test-26.1.photoslibrary/originals/4/4D521201-92AC-43E5-8F7C-59BC41C37A96.jpeg",
  "cfb218dfb1db935e7fab59d9c855f788b3f6fe6a":
    "Test-26.1.photoslibrary/originals/E/E9BC5C36-7CD1-40A1-A72B-8B8FAC227D51.jpeg",
};

/** What each sidecar of files 14 and 15 held, as their notes describe it (the bytes were not kept). */
const SIDECARS: Record<string, { date?: string; description?: string; tiffDescription?: boolean }> = {
  "14#11": { date: "2020-01-05T12:41:41.000-08:00" },
  "14#16": { date: "2020-01-05T20:41:41.000Z" },
  "15#2": { description: "RAW + JPEG, RAW original" },
  "15#7": { description: "RAW + JPEG, RAW original", tiffDescription: true },
};

/** The fields of an asset read from a real file's own metadata, compared exactly for real files. */
const READ_FROM_FILE = [
  "fileCreatedAt",
  "localDateTime",
  "exifInfo.dateTimeOriginal",
  "exifInfo.timeZone",
  "exifInfo.description",
];

interface Part {
  name: string;
  value?: string;
  filename?: string;
  contentType?: string;
  size?: number;
  sha1?: string;
}

export interface Entry {
  request?: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: unknown;
    multipart?: Part[];
  };
  response?: { status: number; headers?: Record<string, string>; body: unknown; bodyFormat?: string };
  note?: string;
}

export interface Difference {
  file: string;
  index: number;
  request: string;
  note?: string;
  problem: string;
}

/** Where in a recorded answer a difference is expected, and why. */
export interface Allowance {
  file: string;
  index?: number;
  /**
   * A JSON path prefix such as `exifInfo` or `assets[*].livePhotoVideoId` (`[*]`: any index);
   * omitted: the whole entry is skipped.
   */
  path?: string;
  why: string;
  /** For a skipped entry: what to do instead, so later entries see the state it left. */
  instead?: (emulator: Emulator) => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_ANYWHERE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Keys whose values are compared exactly (after translation), wherever they appear. */
const MEANINGFUL = new Set([
  "status",
  "action",
  "reason",
  "isTrashed",
  "message",
  "error",
  "statusCode",
  "visibility",
  "isFavorite",
  "isArchived",
  "livePhotoVideoId",
  "primaryAssetId",
  "success",
  "count",
  "res",
  "type",
  "originalFileName",
  "albumName",
  "assetCount",
  "total",
  "nextPage",
  "existingIds",
  "checksum",
  "assetId",
  "permissions",
  "major",
  "minor",
  "patch",
  "isAdmin",
  "email",
  "byteLength",
  "sha1",
  "owned",
  "description",
]);

/** Keys whose values depend on the real media or the clock; only their presence is compared. */
const LOOSE = new Set([
  // read from the real files by exiftool
  "make",
  "model",
  "exifImageWidth",
  "exifImageHeight",
  "orientation",
  "lensModel",
  "fNumber",
  "focalLength",
  "iso",
  "exposureTime",
  "city",
  "state",
  "country",
  "projectionType",
  "modifyDate",
  "thumbhash",
  "updatedAt",
  "createdAt",
  "fileCreatedAt",
  "fileModifiedAt",
  "localDateTime",
  "profileChangedAt",
  "lastModifiedAssetTimestamp",
  "startDate",
  "endDate",
  "originalPath",
  "correlationId",
  "deviceAssetId",
  "deviceId",
  "duration",
  "secret",
]);

export class Replayer {
  readonly differences: Difference[] = [];
  readonly skipped: { file: string; index: number; why: string }[] = [];
  /** recorded id -> emulator id */
  readonly ids = new Map<string, string>();
  /** placeholder -> emulator API key secret */
  readonly keys = new Map<string, string>();
  /** recorded SHA-1 hex -> size, from every upload in every file */
  readonly sizes = new Map<string, number>();
  readonly #synthetic = new Map<string, { hex: string; bytes: Uint8Array }>();
  compared = 0;
  specChecked = 0;

  constructor(
    readonly emulator: Emulator,
    readonly files: Map<string, Entry[]>,
    readonly allowances: Allowance[],
    /** When given, answers are also checked against the spec (beyond what the real ones break). */
    readonly spec?: OpenApiChecker,
  ) {
    this.keys.set("<key>", emulator.adminKey.secret);
    // The recording's admin is the emulator's admin.
    this.ids.set("e095b268-6178-4f83-ada3-1ed20a7137de", emulator.state.admin.id);
    // Files 14 to 17 were recorded on a fresh server with its own admin.
    this.ids.set("695a52cd-78bf-4614-a920-ba7222948381", emulator.state.admin.id);
    for (const entries of files.values()) {
      for (const e of entries) {
        for (const p of e.request?.multipart ?? []) {
          if (p.sha1 && p.size !== undefined) this.sizes.set(p.sha1, p.size);
        }
      }
    }
  }

  /** Bytes standing in for a recorded file: its size, content derived from its SHA-1. */
  bytesFor(sha1: string): { hex: string; bytes: Uint8Array } {
    let s = this.#synthetic.get(sha1);
    if (!s && REAL_FILES[sha1]) {
      s = { hex: sha1, bytes: Deno.readFileSync(`${LIBRARIES}${REAL_FILES[sha1]}`) };
      this.#synthetic.set(sha1, s);
    }
    if (!s) {
      const size = this.sizes.get(sha1) ?? 0;
      const seed = new TextEncoder().encode(`synthetic bytes for ${sha1} `);
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++) bytes[i] = seed[i % seed.length] ^ (i >> 8 & 0xff);
      s = { hex: createHash("sha1").update(bytes).digest("hex"), bytes };
      this.#synthetic.set(sha1, s);
    }
    return s;
  }

  /** A recorded checksum (hex or base64) as the emulator knows the same content. */
  #checksum(recorded: string): string {
    const hex = normaliseChecksum(recorded);
    if (!hex || !this.sizes.has(hex)) return recorded;
    const synthetic = this.bytesFor(hex).hex;
    return /^[0-9a-f]{40}$/i.test(recorded) ? synthetic : base64OfHex(synthetic);
  }

  #translate(value: unknown, key?: string): unknown {
    if (typeof value === "string") {
      if (key === "checksum" || key === "x-immich-checksum") return this.#checksum(value);
      return value.replace(UUID_ANYWHERE, (id) => this.ids.get(id.toLowerCase()) ?? id);
    }
    if (Array.isArray(value)) return value.map((v) => this.#translate(v, key));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.#translate(v, k)]));
    }
    return value;
  }

  #allowed(file: string, index: number, path?: string): Allowance | undefined {
    return this.allowances.find((a) => {
      if (a.file !== file || (a.index !== undefined && a.index !== index)) return false;
      if (a.path === undefined || path === undefined) return a.path === path;
      const prefix = new RegExp(
        `^${a.path.replace(/[.[\]]/g, (c) => `\\${c}`).replace(/\\\[\*\\\]/g, "\\[\\d+\\]")}(?:$|[.[])`,
      );
      return prefix.test(path);
    });
  }

  /** Side actions the recording names in a note but did not record. */
  async #handleNote(note: string): Promise<void> {
    if (/created an API key <key-user2>/.test(note)) {
      const user2 = [...this.emulator.state.users.values()].find((u) => u.email === "user2@example.com");
      if (user2) this.keys.set("<key-user2>", this.emulator.state.createApiKey(user2.id).secret);
    }
    const favourite = /(\w+) was favourited via PUT \/api\/assets/.exec(note);
    if (favourite) {
      const asset = [...this.emulator.state.assets.values()].find((a) =>
        a.deviceAssetId?.startsWith(`${favourite[1]}.`)
      );
      if (asset) {
        await this.emulator.app.request("/api/assets", {
          method: "PUT",
          headers: { "x-api-key": this.emulator.adminKey.secret, "content-type": "application/json" },
          body: JSON.stringify({ ids: [asset.id], isFavorite: true }),
        });
      }
    }
  }

  async run(): Promise<void> {
    for (const [file, entries] of this.files) {
      // Files 14 to 17 come from a fresh server: the albums earlier files left are not there.
      if (file === "14") this.emulator.state.albums.clear();
      for (const [index, entry] of entries.entries()) {
        if (!entry.request) {
          if (entry.note) await this.#handleNote(entry.note);
          continue;
        }
        const whole = this.#allowed(file, index);
        if (whole) {
          this.skipped.push({ file, index, why: whole.why });
          whole.instead?.(this.emulator);
          continue;
        }
        await this.#replay(file, index, entry);
      }
    }
  }

  async #replay(file: string, index: number, entry: Entry): Promise<void> {
    const req = entry.request!;
    const recorded = entry.response!;
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers ?? {})) {
      if (k.toLowerCase() === "content-type" && v.startsWith("multipart/")) continue;
      if (k.toLowerCase() === "x-api-key" && v.startsWith("<")) {
        headers.set(k, this.keys.get(v) ?? v);
      } else headers.set(k, String(this.#translate(v, k.toLowerCase())));
    }
    // A key deleted by the recording was created off the record: make one to delete.
    const revoke = /^\/api\/api-keys\/([0-9a-f-]{36})$/.exec(req.path);
    if (req.method === "DELETE" && revoke && !this.ids.has(revoke[1])) {
      const key = this.emulator.state.createApiKey(this.emulator.state.admin.id, ["all"], "revoked");
      this.ids.set(revoke[1], key.id);
      this.keys.set("<revoked-key>", key.secret);
    }
    const path = String(this.#translate(req.path));
    let body: BodyInit | undefined;
    if (req.multipart) {
      const form = new FormData();
      for (const p of req.multipart) {
        if (p.name === "sidecarData" && p.filename?.endsWith(".xmp")) {
          const known = SIDECARS[`${file}#${index}`];
          const xmp = known ? recordedXmp(known) : standInXmp(entry.note ?? "");
          form.append(p.name, new Blob([xmp], { type: p.contentType }), p.filename);
        } else if (p.filename !== undefined) {
          const { bytes } = this.bytesFor(p.sha1!);
          form.append(p.name, new Blob([bytes as BlobPart], { type: p.contentType }), p.filename);
        } else form.append(p.name, String(this.#translate(p.value)));
      }
      body = form;
    } else if (typeof req.body === "string") body = req.body;
    else if (req.body !== undefined) {
      body = JSON.stringify(this.#translate(req.body));
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    const res = await this.emulator.app.request(path, { method: req.method, headers, body });
    const label = `${req.method} ${req.path}`;
    const differ = (problem: string) =>
      this.differences.push({ file, index, request: label, note: entry.note, problem });
    if (res.status !== recorded.status) differ(`status ${res.status}, recorded ${recorded.status}`);
    let actual: unknown;
    if (recorded.bodyFormat === "binary") {
      const bytes = new Uint8Array(await res.arrayBuffer());
      actual = { byteLength: bytes.byteLength, sha1: createHash("sha1").update(bytes).digest("hex") };
    } else {
      const text = await res.text();
      try {
        actual = text === "" ? "" : JSON.parse(text);
      } catch {
        actual = text;
      }
    }
    this.#learn(recorded.body, actual);
    let expected = recorded.body;
    if (recorded.bodyFormat === "binary") {
      const b = recorded.body as { byteLength: number; sha1: string };
      expected = {
        byteLength: b.byteLength,
        sha1: this.sizes.has(b.sha1) ? this.bytesFor(b.sha1).hex : b.sha1,
      };
    }
    this.#compare(file, index, "", this.#translate(expected), actual, differ);
    if (isFromRealFile(expected) && !this.#allowed(file, index, "exifInfo")) {
      compareReadFromFile(this.#translate(expected), actual, differ);
    }
    if (this.spec && recorded.bodyFormat === undefined) {
      // What the real server's own answer breaks in the spec is the spec's problem, not ours.
      const known = new Set(this.spec.check(req.method, req.path, recorded.status, recorded.body));
      for (const p of this.spec.check(req.method, req.path, res.status, actual)) {
        if (!known.has(p)) differ(`OpenAPI: ${p}`);
      }
      this.specChecked++;
    }
    this.compared++;
  }

  /** Learns recorded -> emulator ids and secrets from an answer and the recording of it. */
  #learn(recorded: unknown, actual: unknown): void {
    if (Array.isArray(recorded) && Array.isArray(actual)) {
      recorded.forEach((r, i) => this.#learn(r, actual[i]));
      return;
    }
    if (!recorded || typeof recorded !== "object" || !actual || typeof actual !== "object") return;
    const r = recorded as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const k of ["id", "assetId", "primaryAssetId", "livePhotoVideoId", "userId"]) {
      if (
        typeof r[k] === "string" && UUID.test(r[k] as string) && typeof a[k] === "string" &&
        !this.ids.has(r[k] as string)
      ) {
        this.ids.set(r[k] as string, a[k] as string);
      }
    }
    if (typeof r.secret === "string" && r.secret.startsWith("<") && typeof a.secret === "string") {
      this.keys.set(r.secret, a.secret);
    }
    for (const k of ["apiKey", "assets", "results", "items"]) {
      if (k in r && k in a) this.#learn(r[k], a[k]);
    }
  }

  #compare(
    file: string,
    index: number,
    path: string,
    expected: unknown,
    actual: unknown,
    differ: (p: string) => void,
  ): void {
    if (path !== "" && this.#allowed(file, index, path)) return;
    // Exif of real camera files (the IMG_ and exif1 media) comes from bytes the recording does not
    // hold; only its keys can be compared.
    if (isRealMedia(expected) && isRealMedia(actual)) {
      const e = expected as Record<string, unknown>;
      const a = actual as Record<string, unknown>;
      this.#compare(file, index, path, { ...e, exifInfo: keysOnly(e.exifInfo) }, {
        ...a,
        exifInfo: keysOnly(a.exifInfo),
      }, differ);
      return;
    }
    const key = path.split(".").at(-1)!.replace(/\[\d+\]$/, "");
    const where = path || "body";
    const kind = (v: unknown) => v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
    if (LOOSE.has(key)) return;
    if (MEANINGFUL.has(key)) {
      if (JSON.stringify(expected) !== JSON.stringify(actual)) {
        differ(`${where}: ${JSON.stringify(actual)}, recorded ${JSON.stringify(expected)}`);
      }
      return;
    }
    if (kind(expected) !== kind(actual)) {
      differ(`${where}: ${kind(actual)} ${JSON.stringify(actual)?.slice(0, 80)}, recorded ${kind(expected)}`);
      return;
    }
    if (Array.isArray(expected)) {
      const a = actual as unknown[];
      if (a.length !== expected.length) differ(`${where}: ${a.length} items, recorded ${expected.length}`);
      expected.slice(0, a.length).forEach((e, i) =>
        this.#compare(file, index, `${path}[${i}]`, e, a[i], differ)
      );
      return;
    }
    if (expected && typeof expected === "object") {
      const e = expected as Record<string, unknown>;
      const a = actual as Record<string, unknown>;
      const missing = Object.keys(e).filter((k) => !(k in a));
      const extra = Object.keys(a).filter((k) => !(k in e));
      if (missing.length) differ(`${where}: missing keys ${missing.join(", ")}`);
      if (extra.length) differ(`${where}: extra keys ${extra.join(", ")}`);
      for (const k of Object.keys(e)) {
        if (k in a) this.#compare(file, index, path ? `${path}.${k}` : k, e[k], a[k], differ);
      }
    }
  }
}

/** An asset uploaded from one of `REAL_FILES`: what the server read from it is known. */
function isFromRealFile(v: unknown): boolean {
  const checksum = (v as { checksum?: unknown } | null)?.checksum;
  if (typeof checksum !== "string") return false;
  return Object.keys(REAL_FILES).includes(normaliseChecksum(checksum) ?? "");
}

function compareReadFromFile(expected: unknown, actual: unknown, differ: (p: string) => void): void {
  const at = (v: unknown, path: string) =>
    path.split(".").reduce((o, k) => (o as Record<string, unknown> | undefined)?.[k], v) as unknown;
  for (const path of READ_FROM_FILE) {
    const e = at(expected, path), a = at(actual, path);
    const same = typeof e === "string" && typeof a === "string" && !Number.isNaN(Date.parse(e)) &&
        /^\d{4}-/.test(e)
      ? Date.parse(e) === Date.parse(a)
      : JSON.stringify(e) === JSON.stringify(a);
    if (!same) differ(`${path} (read from the file): ${JSON.stringify(a)}, recorded ${JSON.stringify(e)}`);
  }
}

function isRealMedia(v: unknown): boolean {
  if (isFromRealFile(v)) return false;
  const name = (v as { originalFileName?: unknown } | null)?.originalFileName;
  return typeof name === "string" && /^(IMG_|exif1)/.test(name) &&
    typeof (v as { exifInfo?: unknown }).exifInfo === "object" &&
    !("__keysOnly" in ((v as { exifInfo: object }).exifInfo ?? {}));
}

function keysOnly(v: unknown): unknown {
  if (!v || typeof v !== "object") return v;
  return { __keysOnly: true, ...Object.fromEntries(Object.keys(v).map((k) => [k, null])) };
}

/**
 * The XMP sidecar the recording uploaded, rebuilt from what its note and answers say it held:
 * DateTimeOriginal 2015-05-06T07:08:09+01:00, a description and rating 4.
 */
function standInXmp(note: string): string {
  const date = /DateTimeOriginal ([0-9T:+-]+)/.exec(note)?.[1] ?? "2015-05-06T07:08:09+01:00";
  return `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
    `<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" ` +
    `xmlns:dc="http://purl.org/dc/elements/1.1/" exif:DateTimeOriginal="${date}" xmp:Rating="4">` +
    `<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Caption from XMP sidecar</rdf:li></rdf:Alt></dc:description>` +
    `</rdf:Description></rdf:RDF></x:xmpmeta>`;
}

/** A sidecar as files 14 and 15 describe it: a capture date, a `dc:description`, a `tiff:ImageDescription`. */
function recordedXmp(facts: { date?: string; description?: string; tiffDescription?: boolean }): string {
  const parts = [];
  if (facts.date) parts.push(`<exif:DateTimeOriginal>${facts.date}</exif:DateTimeOriginal>`);
  if (facts.description) {
    parts.push(
      `<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${facts.description}</rdf:li></rdf:Alt></dc:description>`,
    );
    if (facts.tiffDescription) {
      parts.push(`<tiff:ImageDescription>${facts.description}</tiff:ImageDescription>`);
    }
  }
  return `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
    `<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" ` +
    `xmlns:dc="http://purl.org/dc/elements/1.1/">${parts.join("")}</rdf:Description></rdf:RDF></x:xmpmeta>`;
}

/** Every transcript, by short name (`04`), in recording order. */
export async function loadTranscripts(): Promise<Map<string, Entry[]>> {
  const names = [...Deno.readDirSync(TRANSCRIPTS)].map((e) => e.name).filter((n) => n.endsWith(".json"));
  const files = new Map<string, Entry[]>();
  for (const short of RUN_ORDER) {
    const name = names.find((n) => n.startsWith(`${short}-`))!;
    files.set(short, JSON.parse(await Deno.readTextFile(new URL(name, TRANSCRIPTS))));
  }
  return files;
}
