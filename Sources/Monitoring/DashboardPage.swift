/// The live dashboard: one self-contained page (no CDN, no build step), served at `/`.
///
/// It polls `/api/status` and `/api/history` once a second and redraws in place: each
/// category's sampling probability over time and its current value, grouped by the prefix
/// before the first `/` so that 64 categories stay readable; the workers; rejections by
/// reason; ingest rate and policy version. Rows carry `data-category` / `data-worker`
/// attributes, which the browser test reads.
enum DashboardPage {
    static let html = #"""
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>curriculum coordinator</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:12px 20px;display:flex;gap:28px;align-items:baseline;flex-wrap:wrap}
header h1{font-size:18px;margin:0 12px 0 0}.kv b{font-size:18px;margin-left:6px}.muted{color:#8a93a6}
main{padding:16px 20px;display:grid;gap:16px}
section{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:12px 16px}
h2{font-size:15px;margin:0 0 8px}.groups{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:14px}
.group{border:1px solid #eceff3;border-radius:6px;padding:8px}.group h3{margin:0 0 4px;font-size:14px}
table{border-collapse:collapse;width:100%}td,th{padding:3px 8px;text-align:right;white-space:nowrap}
th{font-weight:600;color:#566074;border-bottom:1px solid #dde1e8}td:first-child,th:first-child{text-align:left}
.bar{display:inline-block;height:9px;background:#4c78a8;vertical-align:middle;margin-right:6px;border-radius:2px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.active{color:#1a7f37}.lost{color:#cf222e}.left,.replaced{color:#8a93a6}
svg{width:100%;height:auto}svg text{font-size:10px;fill:#8a93a6}#error{color:#cf222e}
</style></head>
<body>
<header><h1>curriculum coordinator</h1>
<span class="kv">policy<b id="policy">-</b></span><span class="kv">version<b id="version">-</b></span>
<span class="kv">ingest<b id="ingest-rate">-</b> reports/s</span><span class="kv">workers<b id="worker-count">-</b></span>
<span class="kv">uptime<b id="uptime">-</b></span><span id="error"></span></header>
<main>
<section><h2>Categories <span class="muted">sampling probability over time, grouped by prefix</span></h2><div class="groups" id="groups"></div></section>
<section><h2>Workers</h2><table id="workers"><thead><tr><th>worker</th><th>host</th><th>state</th><th>reports</th><th>samples</th><th>last seen</th><th>mean staleness</th></tr></thead><tbody></tbody></table></section>
<section><h2>Rejections <span class="muted">by reason, since the coordinator started</span></h2><table id="rejections"><thead><tr><th>reason</th><th>count</th></tr></thead><tbody></tbody></table></section>
</main>
<script>
"use strict";
const palette = ["#4c78a8","#f58518","#54a24b","#e45756","#72b7b2","#b279a2","#ff9da6","#9d755d","#bab0ac","#eeca3b"];
const history = []; let lastTime = 0, previous = null;
const $ = (id) => document.getElementById(id);
const fmt = (x, d) => Number(x || 0).toFixed(d);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;","'":"&#39;"}[c]));
const prefixOf = (c) => c.includes("/") ? c.slice(0, c.indexOf("/")) : "(no prefix)";

function chart(categories, colors) {
  const points = history.slice(-900), w = 420, h = 150, pad = 24;
  if (points.length < 2) return `<svg viewBox="0 0 ${w} ${h}"><text x="${pad}" y="${h/2}">collecting samples...</text></svg>`;
  const t0 = points[0].timeMs, t1 = points[points.length - 1].timeMs, span = Math.max(1, t1 - t0);
  let top = 0.05;
  for (const p of points) categories.forEach((c) => { const i = p.categories.indexOf(c); if (i >= 0) top = Math.max(top, p.probabilities[i]); });
  top = Math.min(1, Math.ceil(top * 10) / 10);
  const x = (t) => pad + (w - pad - 4) * (t - t0) / span, y = (v) => h - pad + 8 - (h - pad) * v / top;
  const lines = categories.map((c, k) => {
    const d = points.map((p) => { const i = p.categories.indexOf(c); return i < 0 ? null : `${x(p.timeMs).toFixed(1)},${y(p.probabilities[i]).toFixed(1)}`; })
      .filter(Boolean).join(" ");
    return `<polyline fill="none" stroke="${colors[k]}" stroke-width="1.6" points="${d}"/>`;
  }).join("");
  return `<svg viewBox="0 0 ${w} ${h}"><line x1="${pad}" y1="${y(0)}" x2="${w}" y2="${y(0)}" stroke="#dde1e8"/>` +
    `<text x="0" y="${y(top) + 4}">${top}</text><text x="0" y="${y(0)}">0</text>` +
    `<text x="${pad}" y="${h - 2}">-${Math.round(span / 1000)} s</text><text x="${w - 30}" y="${h - 2}">now</text>${lines}</svg>`;
}

function renderCategories(status) {
  const policy = status.policy || {}, categories = policy.categories || [];
  const totals = Object.fromEntries((status.totals || []).map((t) => [t.category, t]));
  const groups = new Map();
  categories.forEach((c, i) => { const g = prefixOf(c); if (!groups.has(g)) groups.set(g, []); groups.get(g).push(i); });
  $("groups").innerHTML = [...groups].map(([name, indices]) => {
    const colors = indices.map((_, k) => palette[k % palette.length]);
    const top = Math.max(1e-9, ...indices.map((i) => (policy.probabilities || [])[i] || 0));
    const rows = indices.map((i, k) => {
      const c = categories[i], p = (policy.probabilities || [])[i] || 0, t = totals[c] || {}, n = Number(t.count || 0);
      return `<tr data-category="${esc(c)}"><td><span class="swatch" style="background:${colors[k]}"></span>${esc(c)}</td>` +
        `<td class="p"><span class="bar" style="width:${(80 * p / top).toFixed(1)}px"></span>${fmt(p, 4)}</td>` +
        `<td class="value">${fmt((policy.values || [])[i], 4)}</td><td>${n}</td><td>${fmt(n ? t.sum_abs_advantage / n : 0, 4)}</td></tr>`;
    }).join("");
    return `<div class="group"><h3>${esc(name)}</h3>${chart(indices.map((i) => categories[i]), colors)}` +
      `<table><thead><tr><th>category</th><th>p</th><th>value</th><th>samples</th><th>mean |A|</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  }).join("");
}

function renderWorkers(status) {
  const workers = status.workers || [];
  $("worker-count").textContent = `${workers.filter((w) => w.state === "active").length} active / ${workers.length}`;
  $("workers").tBodies[0].innerHTML = workers.map((w) => {
    const id = `${w.worker.worker_id}#${w.worker.incarnation || 0}`;
    return `<tr data-worker="${esc(id)}"><td>${esc(id)}</td><td>${esc(w.hostname || "")}</td><td class="${esc(w.state)}">${esc(w.state)}</td>` +
      `<td class="reports">${w.reports_accepted || 0}</td><td>${w.samples_accepted || 0}</td>` +
      `<td>${fmt((w.last_seen_ms_ago || 0) / 1000, 1)} s ago</td><td>${fmt(w.mean_staleness, 2)}</td></tr>`;
  }).join("");
}

function renderRejections(status) {
  const rows = Object.entries(status.rejections || {}).sort((a, b) => b[1] - a[1]);
  rows.push(["duplicates ignored", status.duplicates_ignored || 0], ["reports rejected (total)", status.reports_rejected || 0]);
  $("rejections").tBodies[0].innerHTML = rows.map(([r, n]) => `<tr data-reason="${esc(r)}"><td>${esc(r)}</td><td>${n}</td></tr>`).join("");
}

async function poll() {
  try {
    const [status, fresh] = await Promise.all([
      fetch("/api/status", {cache: "no-store"}).then((r) => r.ok ? r.json() : Promise.reject(new Error(`status: HTTP ${r.status}`))),
      fetch(`/api/history?since=${lastTime}`, {cache: "no-store"}).then((r) => r.json())]);
    for (const s of fresh) {
      // A lower version is a new coordinator (a restart, the demo's next run): start over.
      if (history.length && s.version < history[history.length - 1].version) history.length = 0;
      history.push(s); lastTime = s.timeMs;
    }
    if (history.length > 900) history.splice(0, history.length - 900);
    const accepted = Number(status.reports_accepted || 0), now = Date.now();
    if (previous) $("ingest-rate").textContent = fmt(Math.max(0, accepted - previous.accepted) * 1000 / Math.max(1, now - previous.at), 0);
    previous = {accepted, at: now};
    $("policy").textContent = (status.policy || {}).policy_name || "-";
    $("version").textContent = (status.policy || {}).version || 0;
    $("uptime").textContent = `${fmt(Number(status.uptime_ms || 0) / 1000, 0)} s`;
    renderCategories(status); renderWorkers(status); renderRejections(status);
    $("error").textContent = "";
  } catch (e) { $("error").textContent = `cannot reach the coordinator: ${e.message}`; }
}
poll(); setInterval(poll, 1000);
</script></body></html>
"""#
}
