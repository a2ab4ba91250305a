/**
 * What the two-way sync asks of the emulator, replayed from the real server's transcripts with the
 * emulator's own clock and ids (the contract replay cannot compare times recorded on another
 * clock): when `updatedAt` moves (06), `search/metadata` with `updatedAfter`, visibility, trash and
 * paging (09), a deleted asset (11), album `updatedAt` (16) and people with faces (17).
 */
import assert from "node:assert/strict";
import { Emulator } from "./app.ts";
import { type Entry, loadTranscripts } from "./_replay.ts";

const transcripts = await loadTranscripts();
/** A recorded entry by its index in the file (notes count), as the contract replay names them. */
const entry = (file: string, index: number) => transcripts.get(file)![index];

interface Answer {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
}

class Client {
  readonly emulator = new Emulator({ version: "1.135.3" });

  async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const res = await this.emulator.app.fetch(
      new Request(`http://immich${path}`, {
        method,
        headers: { "x-api-key": this.emulator.adminKey.secret, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    const text = await res.text();
    return {
      status: res.status,
      body: text && /json/.test(res.headers.get("content-type") ?? "") ? JSON.parse(text) : text,
    };
  }

  /** Replays a recorded request's method and body on another path (the emulator's own ids). */
  replay(recorded: Entry, path = recorded.request!.path, body = recorded.request!.body): Promise<Answer> {
    return this.call(recorded.request!.method, path, body);
  }

  async upload(name: string, visibility = "timeline"): Promise<string> {
    const form = new FormData();
    form.append("deviceAssetId", name);
    form.append("deviceId", "test");
    form.append("fileCreatedAt", "2024-01-02T03:04:05.000Z");
    form.append("fileModifiedAt", "2024-01-02T03:04:05.000Z");
    form.append("visibility", visibility);
    form.append("assetData", new Blob([`${name} ${crypto.randomUUID()}`]), name);
    const res = await this.emulator.app.fetch(
      new Request("http://immich/api/assets", {
        method: "POST",
        headers: { "x-api-key": this.emulator.adminKey.secret },
        body: form,
      }),
    );
    assert.equal(res.status, 201);
    return (await res.json()).id;
  }
}

const tick = () => new Promise((r) => setTimeout(r, 3));
const keys = (o: Record<string, unknown>) => Object.keys(o).sort();

Deno.test("06: exif-only edits answer with the old updatedAt and move it afterwards; favourite and rating move it at once", async () => {
  const immich = new Client();
  const id = await immich.upload("tiny.png");
  const path = `/api/assets/${id}`;
  const first = (await immich.call("GET", path)).body.updatedAt;
  // Entries 10 to 12: dateTimeOriginal, description, latitude/longitude. Entry 13: rating + isFavorite.
  const recorded = [10, 11, 12, 13].map((i) => entry("06", i));
  const answers: Answer[] = [];
  for (const e of recorded) {
    await tick();
    answers.push(await immich.replay(e, path));
  }
  answers.forEach((a, i) => assert.equal(a.status, recorded[i].response!.status));
  const recordedStamps = recorded.map((e) => (e.response!.body as { updatedAt: string }).updatedAt);
  assert.deepEqual(new Set(recordedStamps.slice(0, 3)).size, 1, "the recording: exif-only edits keep it");
  assert.deepEqual(answers.slice(0, 3).map((a) => a.body.updatedAt), [first, first, first]);
  assert.notEqual(answers[3].body.updatedAt, first, "rating and favourite move it in the answer");
  assert.deepEqual(
    keys(answers[3].body),
    keys(recorded[3].response!.body as Record<string, unknown>).filter((k) => k !== "tags"),
  );
  // The re-extraction (immediate here) moved it: a later GET shows a newer updatedAt (entry 20).
  const later = await immich.call("GET", path);
  assert.ok(Date.parse(later.body.updatedAt) > Date.parse(first));
  assert.equal(later.body.exifInfo.description, "A caption set via the API");
});

Deno.test("09: updatedAfter lists only what moved, each visibility asked for, trash with withDeleted, paged", async () => {
  const immich = new Client();
  const old = await Promise.all(["a.jpg", "b.jpg", "c.jpg", "e.jpg", "f.jpg"].map((n) => immich.upload(n)));
  const archived = await immich.upload("d.jpg", "archive");
  await tick();
  const t = new Date().toISOString();
  await tick();
  await immich.call("PUT", "/api/assets", { ids: [old[0]], isFavorite: true });
  await immich.call("PUT", "/api/assets", { ids: [archived], isFavorite: true });
  await immich.call("DELETE", "/api/assets", { ids: [old[1]], force: false });
  const since = (more: Record<string, unknown>) =>
    immich.call("POST", "/api/search/metadata", { updatedAfter: t, ...more }).then((a) =>
      a.body.assets.items.map((x: { id: string }) => x.id).sort()
    );
  // Entry 14's request, on this clock: only what was touched after t, timeline and not trashed.
  const recorded = entry("09", 14);
  const replayed = await immich.replay(recorded, undefined, { updatedAfter: t });
  assert.equal(replayed.status, recorded.response!.status);
  assert.deepEqual(replayed.body.assets.items.map((x: { id: string }) => x.id), [old[0]]);
  assert.deepEqual(await since({ withDeleted: true }), [old[0], old[1]].sort());
  assert.deepEqual(await since({ visibility: "archive" }), [archived]);
  // Entries 0 and 1: a page of `size`, nextPage a string, total the count on the page.
  const page1 = await immich.replay(entry("09", 0));
  assert.equal(page1.body.assets.nextPage, "2");
  assert.equal(page1.body.assets.total, 2);
  const page2 = await immich.replay(entry("09", 1));
  assert.equal(page2.body.assets.nextPage, null);
  assert.equal(page2.body.assets.total, 2);
  assert.equal((await immich.replay(entry("09", 26))).status, entry("09", 26).response!.status);
});

Deno.test("11: a permanently deleted asset answers 400 Not found, as the recording does", async () => {
  const immich = new Client();
  const id = await immich.upload("gone.jpg");
  await immich.call("DELETE", "/api/assets", { ids: [id], force: true });
  const answer = await immich.call("GET", `/api/assets/${id}`);
  const said = transcripts.get("11")!.find((e) =>
    e.request?.method === "GET" && e.response?.status === 400 &&
    /asset\.read/.test(JSON.stringify(e.response.body))
  )!;
  assert.equal(answer.status, said.response!.status);
  assert.equal(answer.body.message, (said.response!.body as { message: string }).message);
});

Deno.test("16: adding and removing members moves the album's updatedAt", async () => {
  const immich = new Client();
  const id = await immich.upload("m.jpg");
  const album = (await immich.call("POST", "/api/albums", { albumName: "Trip" })).body;
  await tick();
  await immich.call("PUT", `/api/albums/${album.id}/assets`, { ids: [id] });
  const added = (await immich.call("GET", `/api/albums/${album.id}?withoutAssets=true`)).body;
  assert.ok(Date.parse(added.updatedAt) > Date.parse(album.updatedAt));
  await tick();
  const removed = await immich.call("DELETE", `/api/albums/${album.id}/assets`, { ids: [id] });
  assert.deepEqual(removed.body, [{ id, success: true }]);
  const after = (await immich.call("GET", "/api/albums")).body[0];
  assert.ok(Date.parse(after.updatedAt) > Date.parse(added.updatedAt));
});

Deno.test("17: a person by name, a face in pixels, the asset's people; removing the face takes the person off", async () => {
  const immich = new Client();
  const id = await immich.upload("wedding.jpg");
  const [person, face] = [entry("17", 2), entry("17", 3)];
  const made = await immich.replay(person);
  assert.equal(made.status, person.response!.status);
  assert.deepEqual(keys(made.body), keys(person.response!.body as Record<string, unknown>));
  const body = { ...(face.request!.body as Record<string, unknown>), assetId: id, personId: made.body.id };
  assert.equal((await immich.replay(face, undefined, body)).status, face.response!.status);
  const asset = (await immich.call("GET", `/api/assets/${id}`)).body;
  assert.deepEqual(asset.people.map((p: { name: string }) => p.name), ["Maria"]);
  const box = asset.people[0].faces[0];
  assert.deepEqual([box.boundingBoxX1, box.boundingBoxY1, box.boundingBoxX2, box.boundingBoxY2], [
    500,
    400,
    700,
    620,
  ]);
  const listed = await immich.call("GET", "/api/people?withHidden=true&size=1&page=1");
  assert.deepEqual([listed.body.people.length, listed.body.hasNextPage], [1, false]);
  // DELETE /api/faces/{id} (OpenAPI: 200, no body; not recorded).
  assert.equal((await immich.call("DELETE", `/api/faces/${box.id}`, { force: true })).status, 200);
  assert.deepEqual((await immich.call("GET", `/api/assets/${id}`)).body.people, []);
});

Deno.test("tags come off an asset one tag at a time, answered per id", async () => {
  const immich = new Client();
  const id = await immich.upload("t.jpg");
  const [tag] = (await immich.call("PUT", "/api/tags", { tags: ["kept"] })).body;
  await immich.call("PUT", "/api/tags/assets", { tagIds: [tag.id], assetIds: [id] });
  const off = await immich.call("DELETE", `/api/tags/${tag.id}/assets`, { ids: [id, id] });
  assert.deepEqual(off.body, [{ id, success: true }, { id, success: false, error: "not_found" }]);
  assert.deepEqual((await immich.call("GET", `/api/assets/${id}`)).body.tags, []);
});
