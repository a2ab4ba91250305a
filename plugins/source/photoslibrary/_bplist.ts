/**
 * A small binary property list (`bplist00`) writer: enough for the Core Data metadata blob
 * (`Z_METADATA.Z_PLIST`) that real libraries carry and version detection reads.
 *
 * @example
 * ```ts
 * const blob = encodeBinaryPlist({ PLModelVersion: 19320, NSStoreType: "SQLite" });
 * ```
 * @module
 */

/** A value a binary plist can hold; non-integer numbers become reals. */
export type PlistValue =
  | string
  | number
  | boolean
  | Uint8Array
  | PlistValue[]
  | { [key: string]: PlistValue };

type Node =
  | { kind: "leaf"; value: string | number | boolean | Uint8Array }
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

function encodeLeaf(value: string | number | boolean | Uint8Array): number[] {
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
    } else if (typeof v === "object" && !(v instanceof Uint8Array)) {
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
