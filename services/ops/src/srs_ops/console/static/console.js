// The operations console. Every call goes to this service's API with the console's
// session cookie; the service adds the operator's access token (never seen here).
"use strict";

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
const CSRF = meta("csrf-token");
const LAG_REFRESH_MS = Math.max(1, Number(meta("lag-refresh-seconds")) || 5) * 1000;
let liveAbort = null, searchCursor = null, selectedDead = null, lagTimer = null, signedOut = false;

class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

// Shown when the session has ended or a call is refused: the tables say so too.
function showAlert(message, signInAgain) {
  $("alert-message").textContent = message;
  $("sign-in-again").hidden = !signInAgain;
  $("alert").hidden = false;
}

async function api(path, options = {}) {
  const headers = {...(options.headers || {})};
  if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = CSRF;
  let response;
  try {
    response = await fetch(path, {...options, headers, credentials: "same-origin"});
  } catch (err) {
    throw new ApiError("the ops service cannot be reached: " + err.message, 0);
  }
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text();
  if (response.status === 401) {
    signedOut = true;
    stopLive();
    showAlert((body && body.detail) || "Your sign-in has expired. Sign in again to continue.", true);
    throw new ApiError("Your sign-in has expired: sign in again to see this.", 401);
  }
  if (response.status === 403) {
    showAlert("Refused: " + ((body && body.detail) || "your roles do not allow this"), false);
    throw new ApiError("Refused: " + ((body && body.detail) || "not allowed"), 403);
  }
  if (!response.ok) throw new ApiError((body && (body.detail || body.title)) || "HTTP " + response.status, response.status);
  return body;
}

function query(values) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== "" && v != null) params.set(k, v);
  return params.toString();
}

// JSON pretty-printed (two-space indent) with keys, strings, numbers and literals marked.
function prettyJson(value) {
  const text = esc(JSON.stringify(value, null, 2));
  return text.replace(/(&quot;(?:[^&\\]|\\.|&(?!quot;))*?&quot;)(\s*:)?|\b(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\b|\b(true|false|null)\b/g,
    (all, str, colon, num, lit) => str ? `<span class="${colon ? "k" : "s"}">${str}</span>${colon || ""}`
      : num ? `<span class="n">${num}</span>` : `<span class="l">${lit}</span>`);
}

function payloadBlock(value, label, open) {
  if (value === null || value === undefined) return `<span class="muted">no payload</span>`;
  const fields = typeof value === "object" ? Object.keys(value).length : 0;
  return `<details class="payload"${open ? " open" : ""}><summary>${esc(label || "payload")} (${fields} field${fields === 1 ? "" : "s"})</summary>` +
    `<pre class="json">${prettyJson(value)}</pre></details>`;
}

// A record's value as received: formatted when it is JSON, as text otherwise.
function valueBlock(text, open) {
  if (text == null || text === "") return `<p class="muted">No value: it was withheld for your role or the record had none.</p>`;
  try { return payloadBlock(JSON.parse(text), "payload", open); } catch (_) {
    return `<details class="payload"${open ? " open" : ""}><summary>payload (not JSON)</summary><pre>${esc(text)}</pre></details>`;
  }
}

function emptyRow(tbody, columns, message, cls = "empty") {
  $(tbody).innerHTML = `<tr><td colspan="${columns}" class="${cls}">${esc(message)}</td></tr>`;
}

function eventRow(e) {
  return `<tr data-id="${e.id}" data-type="${esc(e.type)}" data-subject="${esc(e.subject)}"><td>${e.id}</td><td>${esc(e.time)}</td><td>${esc(e.type)}</td>` +
    `<td>${esc(e.subject)}</td><td>${esc(e.source)}</td><td>${e.correlation_id ? `<a class="saga-link" tabindex="0" data-cid="${esc(e.correlation_id)}">${esc(e.correlation_id)}</a>` : ""}</td>` +
    `<td>${payloadBlock(e.data)}</td></tr>`;
}

function showTab(name) {
  for (const b of document.querySelectorAll("nav button")) b.setAttribute("aria-selected", String(b.dataset.tab === name));
  for (const s of document.querySelectorAll("main section")) s.hidden = s.id !== name;
  clearInterval(lagTimer); lagTimer = null;
  if (name === "lag") { loadLag(); lagTimer = setInterval(loadLag, LAG_REFRESH_MS); }
  if (name === "dead") loadDead();
  if (name === "asyncapi") loadAsyncApi();
}

function stopLive() {
  if (liveAbort) liveAbort.abort();
  liveAbort = null;
}

// The Live tab: the most recent events first, then the stream of new ones after them.
async function watch() {
  stopLive();
  const controller = new AbortController();
  liveAbort = controller;
  const filters = {type: $("live-type").value, subject: $("live-subject").value, correlation_id: $("live-correlation").value};
  $("live-status").textContent = "loading";
  let after = 0;
  try {
    const page = await api("/v1/events?" + query({...filters, limit: 50}));
    if (page.items.length) {
      $("live-rows").innerHTML = page.items.map(eventRow).join("");
      after = page.items[0].id;
    } else {
      emptyRow("live-rows", 7, "No events yet" + (filters.type || filters.subject || filters.correlation_id ? " matching these filters" : "") + ": new ones appear here as they happen.");
    }
  } catch (err) {
    emptyRow("live-rows", 7, "Events could not be loaded. " + err.message, "empty error");
    $("live-status").textContent = "not live";
    return;
  }
  while (!controller.signal.aborted && !signedOut) {
    after = await stream(filters, after, controller);
    if (controller.signal.aborted || signedOut) return;
    $("live-status").textContent = "stream lost: reconnecting";
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

// One connection of the stream (SSE read through fetch); returns the last id seen.
async function stream(filters, after, controller) {
  try {
    const response = await fetch("/v1/events/stream?" + query({...filters, after}), {signal: controller.signal, credentials: "same-origin"});
    if (response.status === 401 || response.status === 403) {
      await api("/v1/events?limit=1");  // shows why, and the way back in
      return after;
    }
    if (!response.ok) { $("live-status").textContent = "stream refused: HTTP " + response.status; return after; }
    $("live-status").textContent = "live";
    const reader = response.body.getReader(), decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, {stream: true}).replace(/\r\n/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
        const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
        if (block.includes("event: ops.event") && data) {
          const event = JSON.parse(data);
          after = Math.max(after, event.id);
          $("live-rows").querySelector("td.empty")?.parentElement.remove();
          $("live-rows").insertAdjacentHTML("afterbegin", eventRow(event));
        }
      }
    }
  } catch (err) {
    if (err.name === "AbortError" || err instanceof ApiError) return after;
  }
  return after;
}

async function search(more) {
  if (!more) searchCursor = null;
  const since = $("search-since").value ? new Date($("search-since").value).toISOString() : "";
  try {
    const page = await api("/v1/events?" + query({type: $("search-type").value, subject: $("search-subject").value,
      source: $("search-source").value, correlation_id: $("search-correlation").value, since, cursor: searchCursor}));
    if (!more && !page.items.length) emptyRow("search-rows", 7, "No events match these filters.");
    else if (!more) $("search-rows").innerHTML = page.items.map(eventRow).join("");
    else $("search-rows").insertAdjacentHTML("beforeend", page.items.map(eventRow).join(""));
    searchCursor = page.next; $("search-more").hidden = !page.next;
  } catch (err) { emptyRow("search-rows", 7, "Search failed. " + err.message, "empty error"); $("search-more").hidden = true; }
}

async function showSaga(cid) {
  if (cid) $("saga-id").value = cid;
  showTab("saga");
  try {
    const saga = await api("/v1/sagas/" + encodeURIComponent($("saga-id").value));
    $("saga-state").innerHTML = saga.complete ? `<span class="complete">Saga ${esc(saga.saga)} complete</span>`
      : saga.waiting_on ? `<span class="waiting">Saga ${esc(saga.saga)} waiting on ${esc(saga.waiting_on)}</span>` : "Not a known saga";
    $("saga-rows").innerHTML = saga.steps.map((s) => `<tr data-type="${esc(s.event.type)}"><td>${esc(s.event.time)}</td><td>${esc(s.event.type)}</td>` +
      `<td>${esc(s.event.source)}</td><td>${esc(s.event.subject)}</td><td>${s.delay_ms == null ? "" : s.delay_ms + " ms"}</td><td>${payloadBlock(s.event.data)}</td></tr>`).join("");
  } catch (err) {
    $("saga-state").textContent = "";
    emptyRow("saga-rows", 6, err.status === 404 ? "No events with this correlation id." : "The saga could not be loaded. " + err.message,
      err.status === 404 ? "empty" : "empty error");
  }
}

function groupRow(g) {
  return `<tr data-group="${esc(g.group)}" data-state="${esc(g.state)}"><td>${esc(g.group)}</td><td><span class="state ${esc(g.state)}">${esc(g.state)}</span></td>` +
    `<td>${g.lag ?? "unknown"}</td><td>${g.max_partition_lag ?? "unknown"}</td><td>${g.partitions}</td></tr>`;
}

async function loadLag() {
  const [groups, lag, outbox] = await Promise.allSettled([api("/v1/lag/groups"), api("/v1/lag"), api("/v1/services/messaging")]);
  if (groups.status === "fulfilled") {
    const rows = groups.value;
    if (rows.length) {
      $("group-rows").innerHTML = rows.map(groupRow).join("");
      $("lag-thresholds").textContent = `(warning from ${rows[0].warning_at}, critical from ${rows[0].critical_at} messages behind)`;
    } else emptyRow("group-rows", 5, "No consumer group has committed offsets yet, so there is no lag to show.");
  } else emptyRow("group-rows", 5, "Lag could not be loaded. " + groups.reason.message, "empty error");
  if (lag.status === "fulfilled") {
    if (lag.value.length) $("lag-rows").innerHTML = lag.value.map((r) => `<tr><td>${esc(r.group)}</td><td>${esc(r.topic)}</td><td>${r.partition}</td><td>${r.end_offset ?? "?"}</td><td>${r.committed_offset}</td><td>${r.lag ?? "?"}</td></tr>`).join("");
    else emptyRow("lag-rows", 6, "No partitions with committed offsets yet.");
  } else emptyRow("lag-rows", 6, "Lag could not be loaded. " + lag.reason.message, "empty error");
  if (outbox.status === "fulfilled") {
    if (outbox.value.length) $("outbox-rows").innerHTML = outbox.value.map((s) => `<tr><td>${esc(s.service)}</td><td>${s.reachable ? "yes" : "no"}</td><td>${s.outbox_backlog ?? esc(s.error)}</td>` +
      `<td>${s.relay ? payloadBlock(s.relay, "relay") : "none"}</td><td>${s.consumer ? (s.consumer.running ? "running" : "stopped") + ", " + s.consumer.processed + " processed" : "none"}</td></tr>`).join("");
    else emptyRow("outbox-rows", 5, "No services are configured to be watched.");
  } else emptyRow("outbox-rows", 5, "The outbox state could not be gathered. " + outbox.reason.message, "empty error");
  $("lag-updated").textContent = "updated " + new Date().toLocaleTimeString() + `, refreshes every ${LAG_REFRESH_MS / 1000} s`;
  if (signedOut) { clearInterval(lagTimer); lagTimer = null; }
}

async function loadDead() {
  try {
    const page = await api("/v1/dead-letters?" + query({state: $("dead-state").value, limit: 200}));
    if (page.items.length) {
      $("dead-rows").innerHTML = page.items.map((d) => `<tr data-id="${d.id}" data-consumer="${esc(d.consumer)}" data-subject="${esc(d.subject)}" data-reason="${esc(d.reason)}">` +
        `<td>${d.id}</td><td>${esc(d.consumer)}</td><td>${esc(d.reason)}</td><td>${esc(d.event_type)}</td><td>${esc(d.subject)}</td>` +
        `<td>${esc(d.origin_topic)}[${d.origin_partition}]@${d.origin_offset}</td><td><span class="badge ${esc(d.state)}">${esc(d.state)}</span></td>` +
        `<td><details class="dead-payload" data-id="${d.id}"><summary>payload</summary><div class="payload-body">loading…</div></details></td>` +
        `<td><button class="inspect" data-id="${d.id}">Inspect</button></td></tr>`).join("");
    } else {
      emptyRow("dead-rows", 9, $("dead-state").value ? `No dead letters in state ${$("dead-state").value}.` : "No dead letters: every consumer is keeping up.");
    }
  } catch (err) { emptyRow("dead-rows", 9, "Dead letters could not be loaded. " + err.message, "empty error"); }
  $("dead-rows").dataset.generation = Number($("dead-rows").dataset.generation || 0) + 1;
}

async function inspect(id) {
  try {
    const d = await api("/v1/dead-letters/" + id);
    selectedDead = d.id;
    $("dead-detail").hidden = false; $("detail-id").textContent = "#" + d.id;
    $("detail-error").textContent = `${d.consumer}: ${d.reason} after ${d.attempts} attempt(s): ${d.error}`;
    $("detail-payload").innerHTML = valueBlock(d.value, true);
    $("detail-headers").innerHTML = d.headers.length ? d.headers.map((h) => `<tr><td>${esc(h.name)}</td><td>${esc(h.value)}</td></tr>`).join("")
      : `<tr><td colspan="2" class="empty">No headers.</td></tr>`;
    $("action-result").textContent = d.state === "open" ? "" : `${d.state} by ${d.action.actor}: ${d.action.reason}`;
  } catch (err) { $("dead-detail").hidden = false; $("detail-error").textContent = "Could not be loaded. " + err.message; }
}

async function loadDeadPayload(details) {
  if (details.dataset.loaded) return;
  details.dataset.loaded = "1";
  const body = details.querySelector(".payload-body");
  try {
    const d = await api("/v1/dead-letters/" + details.dataset.id);
    body.innerHTML = valueBlock(d.value, true);
  } catch (err) { body.innerHTML = `<p class="error">${esc(err.message)}</p>`; delete details.dataset.loaded; }
}

async function act(kind) {
  try {
    const d = await api(`/v1/dead-letters/${selectedDead}/${kind}`, {method: "POST",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify({reason: $("action-reason").value})});
    $("action-result").textContent = `${d.state} by ${d.action.actor}`;
  } catch (err) { $("action-result").textContent = "Refused: " + err.message; }
  loadDead();
}

async function loadAsyncApi() {
  try {
    const doc = await api("/asyncapi.json");
    $("asyncapi-channels").innerHTML = Object.entries(doc.channels).map(([, ch]) =>
      `<h3>${esc(ch.address)}</h3><ul>` + Object.keys(ch.messages).map((m) => {
        const msg = doc.components.messages[m];
        return `<li><code>${esc(msg.name)}</code> ${esc(msg.summary)}</li>`; }).join("") + "</ul>").join("");
  } catch (err) { $("asyncapi-channels").innerHTML = `<p class="error">${esc(err.message)}</p>`; }
}

document.addEventListener("click", (e) => {
  const t = e.target;
  if (t.dataset.tab) showTab(t.dataset.tab);
  if (t.classList.contains("saga-link")) showSaga(t.dataset.cid);
  if (t.classList.contains("inspect")) inspect(t.dataset.id);
});
document.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && e.target.classList.contains("saga-link")) showSaga(e.target.dataset.cid);
});
document.addEventListener("toggle", (e) => {
  if (e.target.classList?.contains("dead-payload") && e.target.open) loadDeadPayload(e.target);
}, true);
$("live-apply").onclick = watch;
$("search-go").onclick = () => search(false);
$("search-more").onclick = () => search(true);
$("saga-go").onclick = () => showSaga();
$("lag-refresh").onclick = loadLag;
$("dead-refresh").onclick = loadDead;
$("dead-state").onchange = loadDead;
$("replay").onclick = () => act("replay");
$("discard").onclick = () => act("discard");
watch();
