import assert from "node:assert/strict";
import { errorKind } from "../../../core/plugin/errors.ts";
import { albumName } from "./_albums.ts";
import { classify, serverMessage } from "./_client.ts";
import { requiredPermissions } from "./_check.ts";
import { asciiName, durationField } from "./_upload.ts";

Deno.test("answers are classified for the engine: 401 config, 403 fatal, 408/429/5xx retryable, other 4xx permanent", () => {
  const kind = (status: number) => errorKind(classify(status, { message: "m" }, "uploading a.jpg"));
  assert.deepEqual([401, 403].map(kind), ["config", "fatal"]);
  assert.deepEqual([408, 429, 500, 502, 503].map(kind), Array(5).fill("retryable"));
  assert.deepEqual([400, 404, 413, 422].map(kind), Array(4).fill("permanent"));
  assert.match(
    classify(400, { message: ["a is bad", "b is missing"] }, "x").message,
    /400: a is bad; b is missing/,
  );
  assert.equal(
    serverMessage("<html><head><title>502 Bad Gateway</title></head></html>", "?"),
    "502 Bad Gateway",
  );
});

Deno.test("album names keep the folder path or only the title", () => {
  const album = { id: "1", title: " Paris ", folders: ["Trips", "", "2024"] };
  assert.equal(albumName(album, "path"), "Trips / 2024 / Paris");
  assert.equal(albumName(album, "title"), "Paris");
  assert.equal(albumName({ id: "2", title: "", folders: [] }, "path"), "Untitled");
});

Deno.test("version-dependent fields and names", () => {
  assert.equal(durationField(3.2, { major: 3, minor: 0, patch: 0 }), "3200");
  assert.equal(durationField(3725.5, { major: 1, minor: 135, patch: 3 }), "1:02:05.500000");
  assert.equal(asciiName("Café ünd 日本.HEIC"), "Cafe und __.HEIC");
  assert.deepEqual(requiredPermissions({ albums: "off", tags: "off" }), [
    "user.read",
    "asset.read",
    "asset.upload",
    "asset.update",
    "asset.delete",
    "stack.create",
    "stack.read",
  ]);
});
