/**
 * Whether files exist (a file or a folder, symbolic links followed; any error reads as no), as
 * node:fs's `existsSync` says. {@link exists} asks the disk each time; a listing asks a
 * {@link FolderIndex}, which reads each folder of the library once.
 *
 * A listing checks one to five files of every asset. Asked one by one, that is a system call per
 * check (11,505 for the 10,000 generated assets with their files), and loading node:fs for its
 * cheaper `existsSync` cost about 20 ms of start-up on its own; one read of each folder (the
 * originals are spread over 16) answers them all.
 *
 * @example
 * ```ts
 * const disk = new FolderIndex("/Users/me/Pictures/Photos Library.photoslibrary");
 * disk.has("/Users/me/Pictures/Photos Library.photoslibrary/originals/0/0A1B.heic"); // false
 * exists("/Volumes/Archive/IMG_0001.HEIC"); // a referenced file: asked now
 * ```
 * @module
 */

/** Whether `path` exists now. */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A folder's names as sorted 53-bit hashes: 8 bytes a name, where a set of strings takes about 90. */
interface Folder {
  names: Float64Array;
  /** The names in lower case, for a volume that ignores case (macOS's default). */
  folded: Float64Array;
  /** Symbolic links, whose target decides. */
  links: Set<string>;
}

const NOTHING: Folder = { names: new Float64Array(), folded: new Float64Array(), links: new Set() };
const ASCII = /^[\x20-\x7e]*$/;

/**
 * The files below one folder (the library bundle), each folder read on its first check: what a
 * listing sees is the disk as of that read. A path outside the root, in a folder that cannot be
 * read, or that a case- or normalization-insensitive volume might match under another spelling, is
 * asked of the disk itself. Two names with the same hash (odds of about 1 in 10^12 per check at
 * 10,000 names a folder) would read as present: the read that follows reports the file missing.
 */
export class FolderIndex {
  readonly #inside: string;
  readonly #folders = new Map<string, Folder | undefined>();

  constructor(root: string) {
    this.#inside = root.endsWith("/") ? root : `${root}/`;
  }

  /** Whether `path` exists, as {@link exists} would have said when its folder was read. */
  has(path: string): boolean {
    const cut = path.lastIndexOf("/");
    const name = path.slice(cut + 1);
    if (!path.startsWith(this.#inside) || name === "" || name === "." || name === "..") return exists(path);
    const folder = this.#folder(path.slice(0, cut));
    if (!folder) return exists(path);
    if (includes(folder.names, hashOf(name))) return folder.links.has(name) ? exists(path) : true;
    return !ASCII.test(name) || includes(folder.folded, hashOf(name.toLowerCase())) ? exists(path) : false;
  }

  #folder(dir: string): Folder | undefined {
    if (!this.#folders.has(dir)) this.#folders.set(dir, readFolder(dir));
    return this.#folders.get(dir);
  }
}

function readFolder(dir: string): Folder | undefined {
  const names: number[] = [];
  const folded: number[] = [];
  const links = new Set<string>();
  try {
    for (const entry of Deno.readDirSync(dir)) {
      names.push(hashOf(entry.name));
      folded.push(hashOf(entry.name.toLowerCase()));
      if (entry.isSymlink) links.add(entry.name);
    }
  } catch (error) {
    // A folder that is not there holds nothing; one that cannot be read is asked file by file.
    return error instanceof Deno.errors.NotFound ? NOTHING : undefined;
  }
  return { names: Float64Array.from(names).sort(), folded: Float64Array.from(folded).sort(), links };
}

/** Two 32-bit FNV-1a style hashes of the UTF-16 code units, 53 bits of them kept (exact in a double). */
function hashOf(name: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x200000 + (b >>> 11);
}

function includes(sorted: Float64Array, value: number): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = sorted[middle];
    if (at === value) return true;
    if (at < value) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}
