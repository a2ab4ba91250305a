import assert from "node:assert/strict";
import type { Asset } from "./asset.ts";
import { xmpAssetId, xmpFacts, xmpPacket } from "./xmp.ts";

/** A photo with these facts (the model may not import the plugin contract's fixtures). */
function assetFixture(facts: Partial<Asset>): Asset {
  return {
    id: "A1B2C3D4-0000-4000-8000-000000000001",
    kind: "photo",
    filename: "IMG_0001.JPG",
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [],
    edited: false,
    referenced: false,
    subtypes: [],
    resources: [],
    ...facts,
  };
}

/** Every element closed in order, every prefix used declared: what any XMP reader needs first. */
function assertWellFormed(packet: string): void {
  const declared = new Set([...packet.matchAll(/xmlns:([\w-]+)=/g)].map((m) => m[1]));
  const open: string[] = [];
  for (const [tag, closing, name, selfClosing] of packet.matchAll(/<(\/?)([\w:-]+)[^>]*?(\/?)>/g)) {
    const prefix = name.split(":")[0];
    assert.ok(name === prefix || declared.has(prefix) || prefix === "xml", `undeclared ${prefix} in ${tag}`);
    if (selfClosing) continue;
    if (closing) assert.equal(open.pop(), name, `${tag} closes another element`);
    else open.push(name);
  }
  assert.deepEqual(open, [], "elements left open");
}

Deno.test("an asset's named people go into XMP as names and as face regions by their centre", () => {
  const asset = assetFixture({
    width: 4032,
    height: 3024,
    people: [
      { name: "Katie", face: { x: 0.25, y: 0.1, width: 0.2, height: 0.3 } },
      { name: "Suzy & Co" },
      { name: "Katie", face: { x: 0.6, y: 0.5, width: 0.1, height: 0.1 } },
    ],
  });
  const packet = xmpPacket(asset);
  assertWellFormed(packet);
  assert.match(
    packet,
    /<Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Katie<\/rdf:li><rdf:li>Suzy &amp; Co<\/rdf:li><\/rdf:Bag>/,
  );
  assert.match(packet, /<mwg-rs:AppliedToDimensions stDim:w="4032" stDim:h="3024" stDim:unit="pixel"\/>/);
  const areas = [
    ...packet.matchAll(
      /<mwg-rs:Name>([^<]*)<\/mwg-rs:Name><mwg-rs:Type>Face<\/mwg-rs:Type><mwg-rs:Area ([^>]*)\/>/g,
    ),
  ]
    .map((m) => [m[1], m[2]]);
  assert.deepEqual(areas, [
    ["Katie", 'stArea:x="0.35" stArea:y="0.25" stArea:w="0.2" stArea:h="0.3" stArea:unit="normalized"'],
    ["Katie", 'stArea:x="0.65" stArea:y="0.55" stArea:w="0.1" stArea:h="0.1" stArea:unit="normalized"'],
  ]);
  assert.equal(xmpAssetId(packet), asset.id);
});

Deno.test("an asset without named people keeps the packet it had: no people namespaces, no regions", () => {
  for (const people of [undefined, [], [{ name: " " }]]) {
    const packet = xmpPacket(assetFixture({ caption: "Harbour", people }));
    assertWellFormed(packet);
    assert.doesNotMatch(packet, /Iptc4xmpExt|mwg-rs|stArea/);
    assert.match(packet, /<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Harbour<\/rdf:li>/);
  }
});

Deno.test("a packet of ours reads back to facts that write the same packet again", () => {
  const assets = [
    assetFixture({}),
    assetFixture({
      favorite: true,
      hidden: true,
      rating: 2,
      captured: { utc: "2024-05-01T10:00:00.123Z", offsetSeconds: 7200 },
      location: { latitude: 48.858370, longitude: -2.294481 },
      title: "Tower <1>",
      caption: 'Harbour & "bay"',
      keywords: ["beach", "sea & sun"],
      albums: [{ id: "X", title: "Paris", folders: ["Trips", "2024"] }, {
        id: "Y",
        title: "Shared",
        folders: [],
        shared: true,
      }],
      width: 4032,
      height: 3024,
      people: [
        { name: "Katie", face: { x: 0.25, y: 0.1, width: 0.2, height: 0.3 } },
        { name: "Suzy & Co" },
        { name: "Katie", face: { x: 0.6, y: 0.5, width: 0.1, height: 0.1 } },
      ],
    }),
    assetFixture({
      rating: 3,
      captured: { utc: "1999-12-31T23:59:59.000Z" },
      location: { latitude: -33.9, longitude: 151.2 },
    }),
    assetFixture({ captured: { utc: "2020-06-01T04:00:00.000Z", offsetSeconds: -34200 }, caption: "" }),
  ];
  for (const asset of assets) {
    const packet = xmpPacket(asset);
    const facts = xmpFacts(packet);
    assert.ok(facts, "ours");
    assert.equal(xmpPacket(facts), packet);
    assert.equal(facts.id, asset.id);
  }
  const read = xmpFacts(xmpPacket(assets[1]))!;
  assert.deepEqual(
    [read.favorite, read.hidden, read.rating, read.title, read.caption, read.keywords],
    [true, true, undefined, "Tower <1>", 'Harbour & "bay"', ["beach", "sea & sun"]],
    "a rating under a favorite is not kept: both are xmp:Rating",
  );
  assert.deepEqual(read.captured, { utc: "2024-05-01T10:00:00.123Z", offsetSeconds: 7200 });
  assert.deepEqual(read.albums.map((a) => a.title), ["Trips / 2024 / Paris"]);
  assert.equal(xmpFacts(xmpPacket(assets[2]))!.rating, 3);
  assert.equal(xmpFacts("<x:xmpmeta>someone else's</x:xmpmeta>"), undefined);
});
