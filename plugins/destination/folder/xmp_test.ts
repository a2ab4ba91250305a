import assert from "node:assert/strict";
import type { Asset } from "../../../core/model/asset.ts";
import { assetFixture } from "../../../core/plugin/testing/mod.ts";
import { PHOTOS_SYNC_NS, xmpAssetId, xmpCoordinate, xmpDate, xmpPacket } from "../../../core/model/xmp.ts";

/** An XML element as the small parser below reads it. */
interface Node {
  name: string;
  attributes: Record<string, string>;
  children: Node[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (_, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(parseInt(e.slice(1), 10));
    if (!(e in ENTITIES)) throw new Error(`unknown entity &${e};`);
    return ENTITIES[e];
  });

/**
 * A strict little XML parser: elements, attributes, text and processing instructions; throws on a
 * mismatched or unclosed tag, a bare `<` or `&`, so a packet that parses is well-formed enough.
 */
function parseXml(xml: string): Node {
  const root: Node = { name: "#document", attributes: {}, children: [], text: "" };
  const stack = [root];
  const token = /<\?[\s\S]*?\?>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const m of xml.matchAll(token)) {
    const top = stack.at(-1)!;
    if (m[6]) throw new Error(`bare < at ${m.index}`);
    if (m[5] !== undefined) {
      if (/&(?!(#x[0-9a-f]+|#[0-9]+|[a-z]+);)/i.test(m[5])) throw new Error(`bare & in ${m[5]}`);
      top.text += decode(m[5]);
    } else if (m[1]) {
      if (top.name !== m[1]) throw new Error(`</${m[1]}> closes <${top.name}>`);
      stack.pop();
    } else if (m[2]) {
      const attributes: Record<string, string> = {};
      for (const a of m[3].matchAll(/([^\s=]+)="([^"]*)"/g)) attributes[a[1]] = decode(a[2]);
      const node: Node = { name: m[2], attributes, children: [], text: "" };
      top.children.push(node);
      if (!m[4]) stack.push(node);
    }
  }
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)!.name}> is not closed`);
  return root;
}

function find(node: Node, name: string): Node | undefined {
  for (const child of node.children) {
    if (child.name === name) return child;
    const deeper = find(child, name);
    if (deeper) return deeper;
  }
}

/** The fields of a packet, read the way an XMP reader reads them. */
function readBack(xml: string) {
  const doc = parseXml(xml);
  const description = find(doc, "rdf:Description")!;
  const text = (name: string) => find(description, name)?.text;
  const alt = (name: string) => {
    const li = find(description, name)?.children[0]?.children[0];
    if (li) assert.equal(li.attributes["xml:lang"], "x-default", name);
    return li?.text;
  };
  const items = (name: string, kind: string) => {
    const list = find(description, name)?.children[0];
    if (list) assert.equal(list.name, kind, name);
    return list?.children.map((li) => li.text);
  };
  return {
    namespaces: description.attributes,
    date: text("exif:DateTimeOriginal"),
    created: text("photoshop:DateCreated"),
    latitude: text("exif:GPSLatitude"),
    longitude: text("exif:GPSLongitude"),
    title: alt("dc:title"),
    caption: alt("dc:description"),
    keywords: items("dc:subject", "rdf:Bag"),
    rating: text("xmp:Rating"),
    assetId: text("photos-sync:AssetId"),
    favorite: text("photos-sync:Favorite"),
    hidden: text("photos-sync:Hidden"),
    albums: items("photos-sync:Albums", "rdf:Bag"),
  };
}

/** Degrees back from XMP's `48,51.502200N`. */
function degrees(text: string): number {
  const [, d, m, h] = /^(\d+),([\d.]+)([NSEW])$/.exec(text)!;
  return (Number(d) + Number(m) / 60) * (h === "S" || h === "W" ? -1 : 1);
}

const RICH: Asset = assetFixture({
  id: "9F1C-<&>\"'",
  captured: { utc: "2024-05-01T10:00:00.000Z", offsetSeconds: -18000 },
  location: { latitude: 48.858370, longitude: -2.294481 },
  title: `Harbour "at" dusk's end`,
  caption: "Sunset over the harbour & <the> boats — Ångström, 東京 🌅",
  keywords: ["harbour", "sun & sea", "été"],
  favorite: true,
  hidden: true,
  albums: [
    { id: "a1", title: "Paris <2024>", folders: ["Trips", "Europe"] },
    { id: "a2", title: "Family", folders: [] },
    { id: "s1", title: "Shared with Bob", folders: [], shared: true },
  ],
});

Deno.test("the XMP packet parses back to every field it was made from", () => {
  const xml = xmpPacket(RICH);
  const back = readBack(xml);
  assert.equal(back.date, "2024-05-01T05:00:00-05:00");
  assert.equal(back.created, back.date);
  assert.ok(Math.abs(degrees(back.latitude!) - 48.85837) < 1e-7, back.latitude);
  assert.ok(Math.abs(degrees(back.longitude!) + 2.294481) < 1e-7, back.longitude);
  assert.match(back.latitude!, /^48,51\.50\d+N$/);
  assert.match(back.longitude!, /^2,17\.66\d+W$/);
  assert.equal(back.title, RICH.title);
  assert.equal(back.caption, RICH.caption);
  assert.deepEqual(back.keywords, RICH.keywords);
  assert.equal(back.rating, "5", "a favorite is five stars");
  assert.equal(back.assetId, RICH.id);
  assert.equal(xmpAssetId(xml), RICH.id);
  assert.deepEqual([back.favorite, back.hidden], ["True", "True"]);
  assert.deepEqual(
    back.albums,
    ["Trips / Europe / Paris <2024>", "Family"],
    "shared albums are not the library's",
  );
  assert.equal(back.namespaces["xmlns:photos-sync"], PHOTOS_SYNC_NS);
  assert.equal(back.namespaces["xmlns:dc"], "http://purl.org/dc/elements/1.1/");
  assert.equal(back.namespaces["xmlns:xmp"], "http://ns.adobe.com/xap/1.0/");
});

Deno.test("markup and quotes in the metadata are escaped, non-ASCII is kept as it is", () => {
  const xml = xmpPacket(RICH);
  assert.ok(xml.includes("&lt;the&gt;") && xml.includes("&amp;"), "escaped in text");
  assert.ok(!xml.includes("<the>") && !xml.includes('"at"'), "nothing raw");
  assert.ok(xml.includes("Ångström, 東京 🌅"), "non-ASCII as UTF-8, not as references");
  // A control character XML cannot carry is dropped rather than making the packet unreadable.
  const back = readBack(xmpPacket({ ...RICH, caption: "bell\u0007 here" }));
  assert.equal(back.caption, "bell here");
  assert.throws(() => parseXml("<a>1 < 2</a>"), /bare </, "the test's parser does refuse bad XML");
  assert.throws(() => parseXml("<a><b></a>"), /closes/);
});

Deno.test("an asset with no metadata has no standard fields, and no rating unless it has one", () => {
  const plain = assetFixture({ id: "plain", captured: undefined, favorite: false });
  const back = readBack(xmpPacket(plain));
  assert.deepEqual(
    [back.date, back.latitude, back.title, back.caption, back.keywords, back.rating, back.albums],
    [undefined, undefined, undefined, undefined, undefined, undefined, undefined],
  );
  assert.deepEqual([back.assetId, back.favorite, back.hidden], ["plain", "False", "False"]);
  assert.equal(readBack(xmpPacket({ ...plain, rating: 3 })).rating, "3");
});

Deno.test("dates carry their offset, fractions only when there are some; UTC when the offset is unknown", () => {
  assert.equal(
    xmpDate({ utc: "2024-05-01T10:00:00.000Z", offsetSeconds: 7200 }),
    "2024-05-01T12:00:00+02:00",
  );
  assert.equal(
    xmpDate({ utc: "2024-01-01T02:30:00.250Z", offsetSeconds: 34200 }),
    "2024-01-01T12:00:00.250+09:30",
  );
  assert.equal(xmpDate({ utc: "2024-01-01T02:30:00Z", offsetSeconds: -12600 }), "2023-12-31T23:00:00-03:30");
  assert.equal(xmpDate({ utc: "2024-05-01T10:00:00.000Z" }), "2024-05-01T10:00:00Z");
  assert.equal(xmpCoordinate(-33.5, "N", "S"), "33,30.000000S");
  assert.equal(xmpCoordinate(0, "E", "W"), "0,0.000000E");
});

Deno.test("only a packet of ours names an asset id", () => {
  assert.equal(
    xmpAssetId("<photos-sync:AssetId>x</photos-sync:AssetId>"),
    undefined,
    "without our namespace",
  );
  assert.equal(xmpAssetId("<x:xmpmeta/>"), undefined);
});
