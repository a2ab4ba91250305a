/**
 * A small binary property list (`bplist00`) writer and reader: enough for the Core Data metadata
 * blob (`Z_METADATA.Z_PLIST`) that real libraries carry and version detection reads.
 *
 * @example
 * ```ts
 * const blob = encodeBinaryPlist({ PLModelVersion: 19320, NSStoreType: "SQLite" });
 * decodeBinaryPlist(blob); // { PLModelVersion: 19320, NSStoreType: "SQLite" }
 * ```
 * @module
 */

/** A UID, the reference `NSKeyedArchiver` archives make from one object to another. */
export class PlistUid {
  constructor(readonly UID: number) {}
}

/** A value a binary plist can hold; non-integer numbers become reals. */
export type PlistValue =
  | PlistUid
  | string
  | number
  | boolean
  | Uint8Array
  | PlistValue[]
  | { [key: string]: PlistValue };

type Node =
  | { kind: "leaf"; value: string | number | boolean | Uint8Array | PlistUid }
  | { kind: "array"; refs: number[] }
  | { kind: "dict"; keys: number[]; values: number[] };

function bytesFor(max: number): number {
  if (max < 0x100) return 1;
  if (max < 0x10000) return 2;
  return 4;
}

function uintBytes(value: number, size: number): number[] {
  const out: number[] = [];
  for (let i = size - 1; i >= 0; i--) out.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
  return out;
}

function intObject(value: number): number[] {
  if (value >= 0 && value < 0x100) return [0x10, value];
  if (value >= 0 && value < 0x10000) return [0x11, ...uintBytes(value, 2)];
  if (value >= 0 && value < 0x100000000) return [0x12, ...uintBytes(value, 4)];
  // 8-byte integers are signed in bplist00.
  const buf = new DataView(new ArrayBuffer(8));
  buf.setBigInt64(0, BigInt(value));
  return [0x13, ...new Uint8Array(buf.buffer)];
}

/** Marker byte with the length in its low nibble, or 0xF and a following int object. */
function withLength(marker: number, length: number): number[] {
  return length < 15 ? [marker | length] : [marker | 0xf, ...intObject(length)];
}

function encodeLeaf(value: string | number | boolean | Uint8Array | PlistUid): number[] {
  if (value instanceof PlistUid) {
    const size = bytesFor(value.UID);
    return [0x80 | (size - 1), ...uintBytes(value.UID, size)];
  }
  if (typeof value === "boolean") return [value ? 0x09 : 0x08];
  if (typeof value === "number") {
    if (Number.isSafeInteger(value)) return intObject(value);
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, value);
    return [0x23, ...new Uint8Array(buf.buffer)];
  }
  if (value instanceof Uint8Array) return [...withLength(0x40, value.length), ...value];
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(value)) {
    return [...withLength(0x50, value.length), ...Array.from(value, (c) => c.charCodeAt(0))];
  }
  const units: number[] = [];
  for (let i = 0; i < value.length; i++) units.push(...uintBytes(value.charCodeAt(i), 2));
  return [...withLength(0x60, value.length), ...units];
}

/**
 * Encodes `value` as a binary property list (`bplist00`), the format `plistlib` and
 * `plutil` read.
 *
 * @example
 * ```ts
 * const blob = encodeBinaryPlist({ PLModelVersion: 19320 });
 * new TextDecoder().decode(blob.subarray(0, 8)); // "bplist00"
 * ```
 */
export function encodeBinaryPlist(value: PlistValue): Uint8Array {
  const nodes: Node[] = [];
  const add = (v: PlistValue): number => {
    const index = nodes.length;
    if (Array.isArray(v)) {
      const node: Node = { kind: "array", refs: [] };
      nodes.push(node);
      node.refs = v.map(add);
    } else if (typeof v === "object" && !(v instanceof Uint8Array) && !(v instanceof PlistUid)) {
      const node: Node = { kind: "dict", keys: [], values: [] };
      nodes.push(node);
      for (const [k, item] of Object.entries(v)) {
        node.keys.push(add(k));
        node.values.push(add(item));
      }
    } else {
      nodes.push({ kind: "leaf", value: v });
    }
    return index;
  };
  add(value);

  const refSize = bytesFor(nodes.length);
  const ref = (i: number) => uintBytes(i, refSize);
  const body: number[] = [...new TextEncoder().encode("bplist00")];
  const offsets: number[] = [];
  for (const node of nodes) {
    offsets.push(body.length);
    if (node.kind === "leaf") body.push(...encodeLeaf(node.value));
    else if (node.kind === "array") {
      body.push(...withLength(0xa0, node.refs.length), ...node.refs.flatMap(ref));
    } else {
      body.push(
        ...withLength(0xd0, node.keys.length),
        ...node.keys.flatMap(ref),
        ...node.values.flatMap(ref),
      );
    }
  }
  const tableOffset = body.length;
  const offsetSize = bytesFor(tableOffset);
  for (const offset of offsets) body.push(...uintBytes(offset, offsetSize));
  body.push(0, 0, 0, 0, 0, 0, offsetSize, refSize);
  body.push(...uintBytes(nodes.length, 8), ...uintBytes(0, 8), ...uintBytes(tableOffset, 8));
  return new Uint8Array(body);
}

/** Seconds between the Unix epoch and the plist date epoch, 2001-01-01 UTC. */
const PLIST_EPOCH = 978_307_200;

/**
 * Decodes a binary property list. Integers beyond 2^53 come back as bigint, dates as `Date`,
 * UIDs as `{ UID: n }`. Throws `SyntaxError` on anything that is not a well-formed `bplist00`,
 * including reference cycles, so a damaged blob cannot hang or crash the reader.
 *
 * @example
 * ```ts
 * const meta = decodeBinaryPlist(row.Z_PLIST as Uint8Array) as Record<string, unknown>;
 * meta.PLModelVersion; // 19320
 * ```
 */
export function decodeBinaryPlist(bytes: Uint8Array): unknown {
  if (bytes.length < 40 || new TextDecoder().decode(bytes.subarray(0, 6)) !== "bplist") fail("bad header");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const trailer = bytes.length - 32;
  const plist: Plist = {
    bytes,
    view,
    offsetSize: bytes[trailer + 6],
    refSize: bytes[trailer + 7],
    count: Number(view.getBigUint64(trailer + 8)),
    table: Number(view.getBigUint64(trailer + 24)),
    active: new Set(),
  };
  const top = Number(view.getBigUint64(trailer + 16));
  const { offsetSize, refSize, count, table } = plist;
  if (offsetSize < 1 || offsetSize > 8 || refSize < 1 || refSize > 8) fail("bad trailer");
  if (top >= count || table + count * offsetSize > trailer) fail("bad offset table");
  return readRef(plist, top);
}

/** One property list being decoded: its bytes, its trailer's facts, and the objects being read now. */
interface Plist {
  bytes: Uint8Array;
  view: DataView;
  offsetSize: number;
  refSize: number;
  /** Number of objects in the offset table. */
  count: number;
  /** Where the offset table starts. */
  table: number;
  /** Objects being read, to refuse a reference cycle instead of recursing forever. */
  active: Set<number>;
}

function fail(why: string): never {
  throw new SyntaxError(`not a binary property list: ${why}`);
}

/** A big-endian unsigned integer of `size` bytes at `at`. */
function uint({ bytes }: Plist, at: number, size: number): number {
  if (at < 0 || at + size > bytes.length) fail("truncated");
  let n = 0;
  for (let i = 0; i < size; i++) n = n * 256 + bytes[at + i];
  return n;
}

function need(plist: Plist, end: number): void {
  if (end > plist.bytes.length) fail("truncated");
}

/** The object with this index in the offset table. */
function readRef(plist: Plist, index: number): unknown {
  if (plist.active.has(index)) fail("reference cycle");
  if (index >= plist.count) fail("bad ref");
  plist.active.add(index);
  try {
    return readObject(plist, uint(plist, plist.table + index * plist.offsetSize, plist.offsetSize));
  } finally {
    plist.active.delete(index);
  }
}

/** The object at `at`: its marker's high nibble is its type, the low one its size or length. */
function readObject(plist: Plist, at: number): unknown {
  const marker = uint(plist, at, 1);
  const high = marker >> 4;
  const low = marker & 0xf;
  let length = low;
  let body = at + 1;
  if (high >= 4 && high !== 8 && low === 0xf) {
    // A longer length follows as an integer object of its own.
    const intMarker = uint(plist, body, 1);
    if (intMarker >> 4 !== 1) fail("bad length");
    const size = 1 << (intMarker & 0xf);
    length = uint(plist, body + 1, size);
    body += 1 + size;
  }
  if (high <= 0x3) return readScalar(plist, marker, body);
  if (high <= 0x6) return readBytes(plist, high, body, length);
  return readContainer(plist, marker, body, length);
}

/** Booleans, null, integers, reals and dates. */
function readScalar(plist: Plist, marker: number, body: number): unknown {
  const { view } = plist;
  const low = marker & 0xf;
  switch (marker >> 4) {
    case 0x0:
      return marker === 0x09 ? true : marker === 0x08 ? false : null;
    case 0x1: {
      const size = 1 << low;
      if (size === 8) {
        need(plist, body + 8);
        const big = view.getBigInt64(body);
        return Number.isSafeInteger(Number(big)) ? Number(big) : big;
      }
      return size === 16 ? fail("128-bit integers are not supported") : uint(plist, body, size);
    }
    case 0x2:
      need(plist, body + (1 << low));
      return low === 2 ? view.getFloat32(body) : low === 3 ? view.getFloat64(body) : fail("bad real");
    default:
      need(plist, body + 8);
      return new Date((view.getFloat64(body) + PLIST_EPOCH) * 1000);
  }
}

/** Data, ASCII (read as Latin-1) and UTF-16 strings. */
function readBytes({ bytes, view }: Plist, high: number, body: number, length: number): unknown {
  const end = body + (high === 0x6 ? 2 * length : length);
  if (end > bytes.length) fail("truncated");
  if (high === 0x4) return bytes.slice(body, end);
  // One code unit per byte is Latin-1; a TextDecoder for it costs its first use a fraction of a ms.
  if (high === 0x5) return latin1(bytes.subarray(body, end));
  const units = Array.from({ length }, (_, i) => view.getUint16(body + 2 * i));
  return String.fromCharCode(...units);
}

function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let at = 0; at < bytes.length; at += 8192) {
    text += String.fromCharCode(...bytes.subarray(at, at + 8192));
  }
  return text;
}

/** UIDs, arrays and dictionaries. */
function readContainer(plist: Plist, marker: number, body: number, length: number): unknown {
  const ref = (i: number) => readRef(plist, uint(plist, body + i * plist.refSize, plist.refSize));
  switch (marker >> 4) {
    case 0x8:
      return { UID: uint(plist, body, (marker & 0xf) + 1) };
    case 0xa:
      return Array.from({ length }, (_, i) => ref(i));
    case 0xd: {
      const dict: Record<string, unknown> = {};
      for (let i = 0; i < length; i++) dict[String(ref(i))] = ref(length + i);
      return dict;
    }
    default:
      return fail(`unknown marker 0x${marker.toString(16)}`);
  }
}
