/**
 * Reads byte ranges of a file without reading the whole file: metadata sits at the start of a JPEG,
 * in the `meta` box of a HEIC and often at the very end of a 4 GB video.
 *
 * @example
 * ```ts
 * await using file = await RandomAccess.open("/photos/IMG_0001.MOV");
 * const header = await file.read(0, 8);
 * ```
 * @module
 */
export class RandomAccess implements AsyncDisposable {
  private constructor(private readonly file: Deno.FsFile, readonly size: number) {}

  static async open(path: string): Promise<RandomAccess> {
    const file = await Deno.open(path, { read: true });
    try {
      return new RandomAccess(file, (await file.stat()).size);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** Up to `length` bytes from `offset`; fewer at the end of the file, none past it. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const wanted = Math.max(0, Math.min(length, this.size - offset));
    const buffer = new Uint8Array(wanted);
    if (wanted === 0) return buffer;
    await this.file.seek(offset, Deno.SeekMode.Start);
    let filled = 0;
    while (filled < wanted) {
      const n = await this.file.read(buffer.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    return buffer.subarray(0, filled);
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.file.close();
    return Promise.resolve();
  }
}

/** Big-endian reads that answer undefined instead of throwing past the end. */
export function u16(bytes: Uint8Array, at: number): number | undefined {
  return at + 2 <= bytes.length ? (bytes[at] << 8) | bytes[at + 1] : undefined;
}

export function u32(bytes: Uint8Array, at: number): number | undefined {
  return at + 4 <= bytes.length
    ? ((bytes[at] << 24) >>> 0) + ((bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3])
    : undefined;
}

export function u64(bytes: Uint8Array, at: number): number | undefined {
  const high = u32(bytes, at);
  const low = u32(bytes, at + 4);
  return high === undefined || low === undefined ? undefined : high * 2 ** 32 + low;
}

/** Reads big-endian fields one after another; a field past the end reads as undefined. */
export class ByteCursor {
  constructor(readonly bytes: Uint8Array, public at = 0) {}

  /** An unsigned integer of 0, 2, 4 or 8 bytes (ISOBMFF's variable-size fields; 0 reads as 0). */
  uint(size: number): number | undefined {
    const at = this.at;
    this.at += size;
    if (size === 0) return 0;
    if (size === 2) return u16(this.bytes, at);
    if (size === 4) return u32(this.bytes, at);
    if (size === 8) return u64(this.bytes, at);
    return undefined;
  }

  skip(size: number): void {
    this.at += size;
  }

  get done(): boolean {
    return this.at > this.bytes.length;
  }
}

export function fourCC(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}
