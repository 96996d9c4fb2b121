// DiffusionTune UI: the job page's live view (server-sent events from /jobs/ID/events).
"use strict";

(function () {
  // htmx sends the request token through hx-headers on <body>; after cancel or resume, reload to show the new run.
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const path = (event.detail.pathInfo && event.detail.pathInfo.requestPath) || "";
    if (event.detail.successful && /\/jobs\/[^/]+\/(cancel|resume)$/.test(path)) location.reload();
  });
  document.body.addEventListener("htmx:responseError", (event) => {
    alert(event.detail.xhr.responseText || "The request failed.");
  });

  const section = document.querySelector("[data-job-events]");
  if (!section) return;
  const stateBadge = section.querySelector("[data-job-state]");
  const progress = section.querySelector("[data-job-progress]");
  const images = section.querySelector("[data-job-images]");
  const messages = section.querySelector("[data-job-messages]");
  const errorLine = section.querySelector("[data-job-error]");
  const jobPath = section.dataset.jobEvents.replace(/\/events$/, "");
  const units = new Map();
  const atRest = ["finished", "failed", "cancelled", "interrupted"];

  function message(kind, text) {
    const item = document.createElement("li");
    item.className = kind;
    item.textContent = text;
    messages.appendChild(item);
  }

  function eta(unit, done, time) {
    if (done <= unit.startDone) return "";
    const seconds = (time - unit.startTime) / 1000 / (done - unit.startDone) * (unit.total - done);
    if (!isFinite(seconds) || seconds < 1) return "";
    return seconds < 90 ? ` · about ${Math.round(seconds)} s left` : ` · about ${Math.round(seconds / 60)} min left`;
  }

  const source = new EventSource(section.dataset.jobEvents);
  const on = (type, handler) => source.addEventListener(type, (e) => handler(JSON.parse(e.data)));
  on("state", (e) => {
    stateBadge.textContent = e.state;
    stateBadge.className = "state state-" + e.state;
    section.querySelector("[data-when=active]").disabled = atRest.includes(e.state);
    section.querySelector("[data-when=resumable]").disabled = !["failed", "cancelled", "interrupted"].includes(e.state);
    if (e.text) message("state", e.text);
    if (atRest.includes(e.state)) source.close();
  });
  on("start", (e) => {
    const row = document.createElement("div");
    row.innerHTML = "<span></span> <progress></progress> <span></span>";
    row.children[0].textContent = e.text;
    row.children[1].max = e.total;
    row.children[1].value = e.done || 0;
    progress.appendChild(row);
    units.set(e.unit, { row, total: e.total, startDone: e.done || 0, startTime: Date.parse(e.time) });
  });
  on("progress", (e) => {
    const unit = units.get(e.unit);
    if (!unit) return;
    unit.row.children[1].value = e.done;
    unit.row.children[2].textContent = `${e.done}/${e.total}${e.text ? " · " + e.text : ""}${eta(unit, e.done, Date.parse(e.time))}`;
  });
  on("finish", (e) => {
    const unit = units.get(e.unit);
    if (unit) { unit.row.children[1].value = unit.total; unit.row.children[2].textContent = e.text; }
  });
  on("message", (e) => message("message", e.text));
  on("warning", (e) => message("warning", "warning: " + e.text));
  on("error", (e) => { message("error", e.text); errorLine.textContent = e.text; });
  on("image", (e) => {
    const figure = document.createElement("figure");
    const img = document.createElement("img");
    img.src = `${jobPath}/images/${e.id}`;
    img.alt = e.text;
    const caption = document.createElement("figcaption");
    caption.textContent = e.text;
    figure.append(img, caption);
    images.appendChild(figure);
  });
})();
