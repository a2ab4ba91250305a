import assert from "node:assert/strict";
import { compileQuery, parseQuery, QueryError } from "./archive_query.ts";

Deno.test("a query parses into whitelisted fields, with and/or/not precedence and units", () => {
  assert.deepEqual(parseQuery('kind = video and size > 100MB or not album = "Trips 2024"'), {
    type: "or",
    left: {
      type: "and",
      left: { type: "compare", field: "kind", op: "=", value: "video" },
      right: { type: "compare", field: "size", op: ">", value: 100_000_000 },
    },
    right: { type: "not", query: { type: "compare", field: "album", op: "=", value: "Trips 2024" } },
  });
  assert.deepEqual(parseQuery("favorite AND (hidden = no)"), {
    type: "and",
    left: { type: "compare", field: "favorite", op: "=", value: true },
    right: { type: "compare", field: "hidden", op: "=", value: false },
  });
  assert.deepEqual(parseQuery("captured < 2020-01-01"), {
    type: "compare",
    field: "captured",
    op: "<",
    value: "2020-01-01T00:00:00.000Z",
    day: true,
  });
  assert.deepEqual(parseQuery("size<=1.5GB"), {
    type: "compare",
    field: "size",
    op: "<=",
    value: 1_500_000_000,
  });
});

Deno.test("every value becomes a named parameter: the query's text never reaches the SQL", () => {
  const params: Record<string, string | number> = {};
  const hostile = `album = "x') OR 1=1; DROP TABLE assets; --" and filename ~ "IMG_*"`;
  const sql = compileQuery(parseQuery(hostile), params);
  assert.deepEqual(Object.values(params), ["x') OR 1=1; DROP TABLE assets; --", "IMG_*"]);
  assert.ok(!sql.includes("DROP") && !sql.includes("IMG_"), sql);
  assert.match(sql, /m\.album_title = \$q0 COLLATE NOCASE/);
  assert.match(sql, /a\.filename GLOB \$q1/);
  const day: Record<string, string | number> = {};
  assert.match(
    compileQuery(parseQuery("captured = 2020-02-29"), day),
    /a\.captured_at >= \$q0 AND a\.captured_at < \$q1/,
  );
  assert.deepEqual(day, { q0: "2020-02-29T00:00:00.000Z", q1: "2020-03-01T00:00:00.000Z" });
});

Deno.test("a bad query is refused with what is wrong and where", () => {
  const cases: [string, number, RegExp][] = [
    ["", 1, /the query is empty/],
    ["colour = red", 1, /unknown field "colour"; fields: kind, size/],
    ["size > ", 8, /expected a value after "size >"/],
    ["size > big", 8, /size takes a size such as 20MB, not "big"/],
    ["kind < video", 6, /kind takes = !=, not "<"/],
    ["kind = audio", 8, /kind takes photo or video/],
    ["captured < soon", 12, /captured takes a date such as 2020-01-01/],
    ['album = "Trips', 9, /a string that never ends/],
    ["favorite = maybe", 12, /favorite takes true or false/],
    ["(kind = photo", 14, /expected "\)"/],
    ["kind = photo video", 14, /expected "and", "or" or the end, not "video"/],
    ["size ! 3", 6, /"!" is not part of the language/],
    ["kind = photo && hidden", 14, /expected "and", "or" or the end, not "&&"/],
    ["size > 1MB; drop", 8, /size takes a size such as 20MB, not "1MB;"/],
  ];
  for (const [query, position, message] of cases) {
    assert.throws(() => parseQuery(query), (e: unknown) => {
      assert.ok(e instanceof QueryError, query);
      assert.equal(e.position, position, `${query}: ${e.message}`);
      assert.match(e.message, message);
      assert.ok(e.message.endsWith(`\n  ${query}\n  ${" ".repeat(position - 1)}^`), e.message);
      return true;
    });
  }
});
