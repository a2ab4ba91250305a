// The dashboard: renders the snapshot the server sends on its event stream. Everything shown is
// set as text (never as HTML), so nothing from the tracker can inject markup.
"use strict";

const state = { snapshot: null, receivedAt: 0 };
const numberFormat = new Intl.NumberFormat();

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const num = (n) => numberFormat.format(Math.round(n ?? 0));

function bytes(n) {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let value = n ?? 0;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60 ? `${s % 60} s` : ""}`.trim();
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

// Server time now, from the snapshot's own clock, so a phone whose clock is off still reads right.
function serverNow() {
  if (!state.snapshot) return Date.now();
  return Date.parse(state.snapshot.generatedAt) + (Date.now() - state.receivedAt);
}

function ago(iso) {
  if (!iso) return "—";
  const seconds = Math.max(0, (serverNow() - Date.parse(iso)) / 1000);
  // Past a minute, seconds are noise.
  return `${duration(seconds < 60 ? seconds : Math.floor(seconds / 60) * 60)} ago`;
}

function when(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  const sameDay = new Date().toDateString() === d.toDateString();
  return sameDay
    ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : d.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

function statusPill(status) {
  const text = String(status).toLowerCase();
  const kind = { succeeded: "ok", completed: "ok", failed: "bad", interrupted: "warn" }[text];
  return el("span", { class: `pill ${kind ?? ""}`, text });
}

function stat(label, key, value, extra) {
  return el(
    "div",
    {},
    el("dt", { text: label }),
    el("dd", { "data-k": key }, value, extra ? el("small", { text: ` ${extra}` }) : null),
  );
}

function liveCard(run) {
  // The total is known once the run has listed and spooled its work; unchanged assets are not in it.
  const fraction = run.total ? Math.min(1, run.done / run.total) : null;
  const bar = el("div", {
    class: `bar${fraction === null ? " unknown" : ""}`,
    role: "progressbar",
    "aria-label": "progress",
  });
  const fill = el("span");
  if (fraction !== null) {
    fill.style.width = `${(fraction * 100).toFixed(1)}%`;
    bar.setAttribute("aria-valuenow", (fraction * 100).toFixed(0));
  }
  bar.append(fill);
  const heading = run.total
    ? `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)}% · ${num(run.done)} of ${num(run.total)} assets`
    : `reading the library… ${num(run.skipped)} unchanged so far`;
  return el(
    "article",
    { class: "card", "data-live-run": run.id },
    el(
      "h3",
      {},
      `${run.command}${run.dryRun ? " (dry run)" : ""}`,
      el("span", { class: "pill", text: "running" }),
    ),
    el(
      "p",
      { class: "sub" },
      `run #${run.id} · started ${ago(run.startedAt)} · `,
      el("span", { "data-ago": run.heartbeatAt, "data-prefix": "last update " }),
    ),
    bar,
    el("p", { class: "sub", text: heading }),
    el(
      "dl",
      { class: "stats" },
      stat("Done", "done", num(run.done)),
      stat(
        "Throughput",
        "rate",
        `${run.assetsPerSecond.toFixed(run.assetsPerSecond < 10 ? 1 : 0)}`,
        "assets/s",
      ),
      stat("Transferred", "bytes", bytes(run.bytes)),
      stat("Data rate", "byte-rate", `${bytes(run.bytesPerSecond)}/s`),
      stat(
        "Time left",
        "eta",
        run.etaSeconds === null ? (run.total ? "—" : "unknown") : duration(run.etaSeconds),
      ),
      stat("Unchanged", "skipped", num(run.skipped)),
      stat("Failed", "failed", el("span", { class: run.failed ? "bad-text" : "", text: num(run.failed) })),
    ),
  );
}

function renderLive(s) {
  const box = document.getElementById("live");
  const cards = s.live.map(liveCard);
  for (const run of s.backups.runs.filter(backupRunning)) cards.push(backupCard(run));
  if (cards.length === 0) {
    const last = s.runs.find((r) => r.status !== "running");
    cards.push(
      el(
        "div",
        { class: "card empty", "data-idle": true },
        "Nothing is running. ",
        last
          ? el(
            "span",
            {},
            `Last: ${last.command} #${last.id} `,
            statusPill(last.status),
            ` ${ago(last.endedAt ?? last.startedAt)}.`,
          )
          : "No run recorded yet.",
      ),
    );
  }
  box.replaceChildren(...cards);
}

function renderDestinations(s) {
  const box = document.getElementById("destinations");
  const list = Array.isArray(s.status?.destinations) ? s.status.destinations : [];
  if (list.length === 0) {
    box.replaceChildren(
      el("div", { class: "card empty", text: "Nothing imported yet. Start with: photos-sync import" }),
    );
    return;
  }
  const tiers = Array.isArray(s.status?.tiers) ? s.status.tiers : [];
  box.replaceChildren(
    ...list.map((d) => [d, tiers.find((t) => t.destination === d.destination)]).map(([d, t]) =>
      el(
        "article",
        { class: "card", "data-destination": d.destination },
        el("h3", { text: String(d.destination).split(":")[0] }),
        el("p", { class: "sub", text: d.destination }),
        el(
          "dl",
          { class: "stats" },
          stat("Imported", "imported", num(d.imported)),
          stat("Size", "size", bytes(d.bytes)),
          stat("Failed", "failed", el("span", { class: d.failed ? "bad-text" : "", text: num(d.failed) })),
          stat("Skipped", "skipped", num(d.skipped)),
          d.incomplete ? stat("Incomplete", "incomplete", num(d.incomplete)) : null,
          // The three tiers, once any asset left Photos or went cold.
          t && (t.cold.assets || t.photos.assets < t.atDestination.assets)
            ? [
              stat("In Photos", "tier-photos", `${num(t.photos.assets)} · ${bytes(t.photos.bytes)}`),
              stat("There", "tier-there", `${num(t.atDestination.assets)} · ${bytes(t.atDestination.bytes)}`),
              stat("Cold", "tier-cold", `${num(t.cold.assets)} · ${bytes(t.cold.bytes)}`),
            ]
            : null,
        ),
      )
    ),
  );
}

function renderProblems(s) {
  const box = document.getElementById("problems");
  const total = s.problems.reduce((n, p) => n + p.count, 0);
  document.getElementById("problems-count").textContent = total ? num(total) : "";
  if (s.problems.length === 0) {
    box.replaceChildren(el("div", { class: "card empty", text: "No failed or skipped assets." }));
    return;
  }
  box.replaceChildren(
    ...s.problems.map((p) =>
      el(
        "article",
        { class: `card problem ${p.status}`, "data-problem": true },
        el("span", { class: "n", "data-k": "count", text: num(p.count) }),
        el(
          "div",
          {},
          el("p", { text: p.reason }),
          el(
            "p",
            { class: "sub" },
            `${p.status}${p.errorClass ? ` · ${p.errorClass}` : ""} · ${p.destination} · e.g. ${
              p.examples.join(", ")
            }`,
          ),
        ),
      )
    ),
  );
}

function backupCard(run) {
  return el(
    "article",
    { class: "card", "data-backup-run": run.id },
    el("h3", {}, `backup to ${run.destination}${run.dryRun ? " (dry run)" : ""}`, statusPill(run.status)),
    el("p", {
      class: "sub",
      text: `run #${run.id} · ${run.destinationType} · started ${ago(run.startedAt)}`,
    }),
    ...run.jobs.map((j) => {
      const fraction = j.bytesTotal > 0
        ? Math.min(1, j.bytesTransferred / j.bytesTotal)
        : j.status === "succeeded"
        ? 1
        : 0;
      const fill = el("span");
      fill.style.width = `${(fraction * 100).toFixed(1)}%`;
      return el(
        "div",
        { "data-backup-job": j.id },
        el("div", {
          class: `bar${j.status === "succeeded" ? " done" : j.status === "failed" ? " failed" : ""}`,
          role: "progressbar",
          "aria-valuenow": (fraction * 100).toFixed(0),
        }, fill),
        el(
          "p",
          { class: "sub" },
          statusPill(j.status),
          ` ${j.sourcePath} → ${j.remotePath} · ${bytes(j.bytesTransferred)} of ${bytes(j.bytesTotal)} · ` +
            `${num(j.filesTransferred)} of ${num(j.filesTotal)} files` +
            (j.status === "running"
              ? ` · ${bytes(j.transferSpeed)}/s · ${duration(j.etaSeconds)} left`
              : "") +
            (j.errorMessage ? ` · ${j.errorMessage}` : ""),
        ),
      );
    }),
  );
}

const backupRunning = (r) => r.status === "running" || r.jobs.some((j) => j.status === "running");

function renderBackups(s) {
  const box = document.getElementById("backups");
  // A backup in progress is shown under "Now"; this lists the ones before it.
  const runs = s.backups.runs.filter((r) => !backupRunning(r));
  if (runs.length === 0) {
    const text = s.backups.runs.length ? "The backup in progress is shown above." : "No backup has run yet.";
    box.replaceChildren(el("div", { class: "card empty", text }));
    return;
  }
  box.replaceChildren(...runs.slice(0, 3).map(backupCard));
}

function summaryText(r) {
  // sync nests its import summary under `import`; other commands keep theirs at the top.
  const x = r.summary && typeof r.summary === "object" && "import" in r.summary
    ? r.summary.import
    : r.summary;
  if (!x || typeof x !== "object") return "";
  if ("imported" in x) {
    const parts = [`${num(x.imported)} imported`];
    if (x.duplicates) parts.push(`${num(x.duplicates)} already there`);
    if (x.failed) parts.push(`${num(x.failed)} failed`);
    if (x.wouldImport) parts.push(`${num(x.wouldImport)} would import`);
    if (x.bytes) parts.push(bytes(x.bytes));
    return parts.join(", ");
  }
  return "";
}

function renderRuns(s) {
  const body = document.querySelector("#runs tbody");
  if (s.runs.length === 0) {
    body.replaceChildren(
      el("tr", {}, el("td", { colspan: 6, class: "muted", text: "No run recorded yet." })),
    );
    return;
  }
  body.replaceChildren(
    ...s.runs.map((r) =>
      el(
        "tr",
        { "data-run": r.id },
        el("td", { text: r.id }),
        el("td", { text: `${r.command}${r.dryRun ? " (dry run)" : ""}` }),
        el("td", {}, statusPill(r.status)),
        el("td", { text: when(r.startedAt) }),
        el("td", { text: r.durationSeconds === null ? "—" : duration(r.durationSeconds) }),
        el("td", { text: summaryText(r) }),
      )
    ),
  );
}

function tick() {
  for (const node of document.querySelectorAll("[data-ago]")) {
    node.textContent = `${node.dataset.prefix ?? ""}${ago(node.dataset.ago)}`;
  }
}

function render(s) {
  state.snapshot = s;
  state.receivedAt = Date.now();
  document.getElementById("home").textContent = s.status?.home ?? "";
  renderLive(s);
  renderDestinations(s);
  renderProblems(s);
  renderBackups(s);
  renderRuns(s);
  tick();
  document.body.dataset.updated = String(Date.now());
}

function connection(stateName, text) {
  const node = document.getElementById("conn");
  node.dataset.state = stateName;
  document.getElementById("conn-text").textContent = text;
}

function connect() {
  const source = new EventSource("api/events");
  source.addEventListener("open", () => connection("live", "live"));
  source.addEventListener("snapshot", (event) => {
    connection("live", "live");
    render(JSON.parse(event.data));
  });
  source.addEventListener("error", async () => {
    if (source.readyState !== EventSource.CLOSED) {
      connection("connecting", "reconnecting…");
      return;
    }
    // Closed for good: usually a missing token. Ask once to show why, then try again later.
    const res = await fetch("api/health").catch(() => null);
    if (res && res.status === 401) {
      connection("error", "needs the token: open this page with ?token=…");
      return;
    }
    connection("error", "offline, retrying…");
    setTimeout(connect, 5000);
  });
}

// The tiers per asset, a page at a time from /api/assets (asked for, not pushed: 100 000 rows would
// not fit the event stream); the query is archive --query's.
const assets = { query: "", next: null };

function coldText(c) {
  const verified = c.verifiedAt ? `verified ${when(c.verifiedAt)}` : "not verified";
  const r = c.restore;
  const restore = r.state === "requested"
    ? `, restore ${r.tier} expected ${when(r.expectedBy)}`
    : r.state === "readable"
    ? `, readable until ${when(r.until)}`
    : "";
  return `${c.target} (${c.storageClasses.join("+")}, ${verified}${restore})`;
}

function assetRow(a) {
  const yes = (b) => el("span", { class: `pill ${b ? "ok" : ""}`, text: b ? "yes" : "no" });
  return el(
    "tr",
    { "data-asset": a.assetId },
    el("td", {}, a.filename, el("small", { class: "muted", text: ` ${a.assetId} · ${bytes(a.bytes)}` })),
    el("td", {}, yes(a.inPhotos)),
    el("td", {}, yes(a.atDestination), ` ${a.destination}`),
    el("td", { text: a.cold.length ? a.cold.map(coldText).join("; ") : "—" }),
  );
}

async function loadAssets(reset) {
  const body = document.querySelector("#assets tbody");
  const params = new URLSearchParams({ limit: "50" });
  if (assets.query) params.set("query", assets.query);
  if (!reset && assets.next) params.set("after", assets.next);
  const res = await fetch(`api/assets?${params}`);
  const page = await res.json();
  document.getElementById("assets-error").textContent = page.error ?? "";
  if (page.error) return;
  if (reset) body.replaceChildren();
  body.append(...page.assets.map(assetRow));
  if (reset && page.assets.length === 0) {
    body.append(el("tr", {}, el("td", { colspan: 4, class: "muted", text: "No imported asset matches." })));
  }
  assets.next = page.next;
  document.getElementById("assets-more").hidden = !page.next;
}

document.getElementById("assets-form").addEventListener("submit", (event) => {
  event.preventDefault();
  assets.query = document.getElementById("assets-query").value.trim();
  loadAssets(true);
});
document.getElementById("assets-more").addEventListener("click", () => loadAssets(false));

setInterval(tick, 1000);
connect();
loadAssets(true);
