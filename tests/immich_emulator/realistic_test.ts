import assert from "node:assert/strict";
import { startEmulator } from "./mod.ts";

/** Uploads a small file through the emulator's HTTP port; returns the status and the asset id. */
async function upload(url: string, key: string, content: string): Promise<{ status: number; id: string }> {
  const form = new FormData();
  form.append("fileCreatedAt", "2024-01-02T03:04:05.000Z");
  form.append("fileModifiedAt", "2024-01-02T03:04:05.000Z");
  form.append("assetData", new Blob([content], { type: "image/jpeg" }), "a.jpg");
  const res = await fetch(`${url}/api/assets`, { method: "POST", headers: { "x-api-key": key }, body: form });
  return { status: res.status, id: (await res.json()).id };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

Deno.test("the realistic mode stores each upload, records a row and extracts it; a duplicate adds nothing", async () => {
  await using immich = await startEmulator({ version: "3.2.2", realistic: { extractMs: 2 } });
  const first = await upload(immich.url, immich.apiKey, "one");
  const second = await upload(immich.url, immich.apiKey, "two");
  assert.deepEqual([first.status, second.status], [201, 201]);
  assert.equal(immich.emulator.state.assets.get(first.id)?.size, 3, "the upload reached the API whole");
  const again = await upload(immich.url, immich.apiKey, "one");
  assert.equal(again.status, 200);
  assert.equal(again.id, first.id);
  await until(() => immich.realistic!.counts().extracted === 2);
  assert.deepEqual(immich.realistic!.counts(), { stored: 2, extracted: 2 });
});

Deno.test("the realistic mode's metadata extraction waits while its queue is paused", async () => {
  await using immich = await startEmulator({ version: "3.2.2", realistic: { extractMs: 2 } });
  immich.emulator.state.paused.add("metadataExtraction");
  await upload(immich.url, immich.apiKey, "one");
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(immich.realistic!.counts(), { stored: 1, extracted: 0 });
  immich.emulator.state.paused.delete("metadataExtraction");
  await until(() => immich.realistic!.counts().extracted === 1);
  assert.equal(immich.realistic!.counts().extracted, 1);
});
