/**
 * Named people and their faces on an Immich asset (`people`, two-way sync), made through the API as
 * Immich takes them with machine learning off (transcript 17): a person found by exact name or
 * created, a face rectangle in pixels of the image as Immich sees it, orientation applied.
 * @module
 */
import type { FaceBox, PersonInAsset } from "../../../core/model/asset.ts";
import type { ImmichClient } from "./_client.ts";
import type { ImmichAsset, ImmichPerson } from "./_read.ts";

/** EXIF orientations that turn the image a quarter: Immich's width and height swap. */
const QUARTER_TURNS = new Set(["5", "6", "7", "8"]);

/**
 * A size for an image whose dimensions Immich has not read (yet): Immich keeps each face with the
 * size it was measured on and scales it to the image it shows, so the fractions survive.
 */
const UNKNOWN_SIZE = { width: 10_000, height: 10_000 };

/** The image's size as Immich shows it: the EXIF dimensions, swapped for a quarter turn. */
export function shownSize(asset: ImmichAsset): { width: number; height: number } {
  const exif = asset.exifInfo ?? {};
  const [w, h] = [exif.exifImageWidth, exif.exifImageHeight];
  if (!w || !h) return UNKNOWN_SIZE;
  return QUARTER_TURNS.has(String(exif.orientation)) ? { width: h, height: w } : { width: w, height: h };
}

/** A face box in fractions as the `POST /faces` rectangle, in whole pixels of that size. */
export function facePixels(box: FaceBox, size: { width: number; height: number }) {
  return {
    imageWidth: size.width,
    imageHeight: size.height,
    x: Math.round(box.x * size.width),
    y: Math.round(box.y * size.height),
    width: Math.max(1, Math.round(box.width * size.width)),
    height: Math.max(1, Math.round(box.height * size.height)),
  };
}

export class PeopleSync {
  /** The user's people by exact name, read once per session; grows as people are created. */
  #byName?: Promise<Map<string, string>>;
  /** One lookup or creation per name, however many assets ask at the same moment. */
  readonly #ids = new Map<string, Promise<string>>();

  constructor(readonly client: ImmichClient) {}

  /**
   * Makes these the named people on the asset: a person missing there gets its face (Immich ties a
   * person to an asset only through a face, so a person without a face box cannot be added); a
   * named person no longer wanted loses its faces there. Unnamed faces stay. A person already there
   * keeps its face: names decide, as in the reconcile.
   */
  async set(remoteId: string, people: PersonInAsset[]): Promise<void> {
    const asset = await this.client.json<ImmichAsset>("GET", `/assets/${remoteId}`, undefined, {
      what: `reading the people of asset ${remoteId}`,
    });
    const present = (asset.people ?? []).filter((p) => p.name.trim() !== "");
    const wanted = new Map(people.map((p) => [p.name, p]));
    for (const person of present.filter((p) => !wanted.has(p.name))) await this.#unlink(remoteId, person);
    const have = new Set(present.map((p) => p.name));
    const size = shownSize(asset);
    for (const person of people) {
      if (have.has(person.name) || !person.face) continue;
      const personId = await this.#personId(person.name);
      await this.client.json("POST", "/faces", {
        assetId: remoteId,
        personId,
        ...facePixels(person.face, size),
      }, {
        what: `adding ${person.name}'s face to asset ${remoteId}`,
      });
    }
  }

  async #unlink(remoteId: string, person: ImmichPerson): Promise<void> {
    for (const face of person.faces ?? []) {
      await this.client.json("DELETE", `/faces/${face.id}`, { force: true }, {
        what: `removing ${person.name}'s face from asset ${remoteId}`,
      });
    }
  }

  #personId(name: string): Promise<string> {
    let pending = this.#ids.get(name);
    if (!pending) {
      pending = this.#findOrCreate(name);
      this.#ids.set(name, pending);
      pending.catch(() => this.#ids.delete(name));
    }
    return pending;
  }

  async #findOrCreate(name: string): Promise<string> {
    const byName = await this.#people();
    const known = byName.get(name);
    if (known) return known;
    const created = await this.client.json<{ id: string }>("POST", "/people", { name }, {
      what: `creating the person "${name}"`,
    });
    byName.set(name, created.id);
    return created.id;
  }

  #people(): Promise<Map<string, string>> {
    this.#byName ??= (async () => {
      const byName = new Map<string, string>();
      for (let page = 1, more = true; more; page++) {
        const found = await this.client.json<{ people: ImmichPerson[]; hasNextPage: boolean }>(
          "GET",
          `/people?withHidden=true&size=1000&page=${page}`,
          undefined,
          { what: "listing people" },
        );
        for (const p of found.people) if (p.name && !byName.has(p.name)) byName.set(p.name, p.id);
        more = found.hasNextPage;
      }
      return byName;
    })();
    this.#byName.catch(() => (this.#byName = undefined));
    return this.#byName;
  }
}
