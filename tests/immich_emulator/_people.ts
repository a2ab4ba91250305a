/**
 * People and faces as Immich 1.135.3 keeps them with machine learning off (transcript 17): a person
 * made by name, a manual face rectangle that gives the person an asset, and how both read back (in
 * the person, its statistics, the asset's `people` and `search/metadata {personIds}`).
 * @module
 */

export interface Person {
  id: string;
  ownerId: string;
  name: string;
  birthDate: string | null;
  isHidden: boolean;
  isFavorite: boolean;
  updatedAt: string;
}

export interface Face {
  id: string;
  assetId: string;
  personId: string | null;
  imageWidth: number;
  imageHeight: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export class People {
  readonly people = new Map<string, Person>();
  readonly faces = new Map<string, Face>();

  create(ownerId: string, fields: Record<string, unknown>): Person {
    const person: Person = {
      id: crypto.randomUUID(),
      ownerId,
      name: typeof fields.name === "string" ? fields.name : "",
      birthDate: typeof fields.birthDate === "string" ? fields.birthDate : null,
      isHidden: fields.isHidden === true,
      isFavorite: fields.isFavorite === true,
      updatedAt: new Date().toISOString(),
    };
    this.people.set(person.id, person);
    return person;
  }

  update(person: Person, fields: Record<string, unknown>): Person {
    if (typeof fields.name === "string") person.name = fields.name;
    if (typeof fields.birthDate === "string" || fields.birthDate === null) {
      person.birthDate = fields.birthDate as string | null;
    }
    if (typeof fields.isHidden === "boolean") person.isHidden = fields.isHidden;
    if (typeof fields.isFavorite === "boolean") person.isFavorite = fields.isFavorite;
    person.updatedAt = new Date().toISOString();
    return person;
  }

  /** `POST /api/faces`: a rectangle in pixels of the image as Immich sees it. */
  addFace(body: Record<string, unknown>): Face {
    const n = (k: string) => Number(body[k]);
    const face: Face = {
      id: crypto.randomUUID(),
      assetId: String(body.assetId),
      personId: typeof body.personId === "string" ? body.personId : null,
      imageWidth: n("imageWidth"),
      imageHeight: n("imageHeight"),
      x1: n("x"),
      y1: n("y"),
      x2: n("x") + n("width"),
      y2: n("y") + n("height"),
    };
    this.faces.set(face.id, face);
    return face;
  }

  facesOf(assetId: string): Face[] {
    return [...this.faces.values()].filter((f) => f.assetId === assetId);
  }

  /** The assets a person is on (their faces' assets), for which `exists` holds. */
  assetsOf(personId: string, exists: (assetId: string) => boolean): Set<string> {
    return new Set(
      [...this.faces.values()].filter((f) => f.personId === personId && exists(f.assetId)).map((f) =>
        f.assetId
      ),
    );
  }

  forgetAsset(assetId: string): void {
    for (const face of this.facesOf(assetId)) this.faces.delete(face.id);
  }
}

export function renderPerson(person: Person) {
  return {
    id: person.id,
    name: person.name,
    birthDate: person.birthDate,
    thumbnailPath: "",
    isHidden: person.isHidden,
    isFavorite: person.isFavorite,
    updatedAt: person.updatedAt,
  };
}

function renderFaceBox(face: Face) {
  return {
    id: face.id,
    imageHeight: face.imageHeight,
    imageWidth: face.imageWidth,
    boundingBoxX1: face.x1,
    boundingBoxX2: face.x2,
    boundingBoxY1: face.y1,
    boundingBoxY2: face.y2,
    sourceType: "manual",
  };
}

/** `GET /api/faces?id=<asset>`: each face with its person. */
export function renderFace(people: People, face: Face) {
  const person = face.personId ? people.people.get(face.personId) : undefined;
  return { ...renderFaceBox(face), person: person ? renderPerson(person) : null };
}

/** An asset's `people` (each with its faces there) and its `unassignedFaces`. */
export function renderAssetPeople(people: People, assetId: string) {
  const faces = people.facesOf(assetId);
  const byPerson = new Map<string, Face[]>();
  for (const f of faces) if (f.personId) byPerson.set(f.personId, [...byPerson.get(f.personId) ?? [], f]);
  return {
    people: [...byPerson].filter(([id]) => people.people.has(id)).map(([id, own]) => ({
      ...renderPerson(people.people.get(id)!),
      faces: own.map(renderFaceBox),
    })),
    unassignedFaces: faces.filter((f) => !f.personId).map(renderFaceBox),
  };
}
