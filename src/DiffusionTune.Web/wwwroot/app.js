// DiffusionTune UI: the job page's live view (server-sent events from /jobs/ID/events): progress, messages, images,
// metric curves (inline SVG), memory, and a finished job's result fragment.
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
  const memory = section.querySelector("[data-job-memory]");
  const curves = section.querySelector("[data-job-curves]");
  const result = section.querySelector("[data-job-result]");
  const samples = section.querySelector("[data-job-samples]");
  const metrics = new Map();
  let drawPending = false;
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

  function formatBytes(bytes) {
    const units = ["B", "KiB", "MiB", "GiB"];
    let value = bytes, unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
  }

  // One SVG line chart per metric, redrawn at most once a frame.
  function drawCurves() {
    drawPending = false;
    const width = 360, height = 140, pad = 30;
    const svgNs = "http://www.w3.org/2000/svg";
    for (const [name, metric] of metrics) {
      if (!metric.figure) {
        metric.figure = document.createElement("figure");
        metric.figure.className = "curve";
        metric.figure.dataset.testid = "curve-" + name;
        metric.svg = document.createElementNS(svgNs, "svg");
        metric.svg.setAttribute("width", width);
        metric.svg.setAttribute("height", height);
        metric.line = document.createElementNS(svgNs, "polyline");
        metric.line.setAttribute("fill", "none");
        metric.line.setAttribute("stroke", name === "loss" ? "#3b5bdb" : "#f08c00");
        metric.labels = document.createElementNS(svgNs, "text");
        metric.labels.setAttribute("x", pad);
        metric.labels.setAttribute("y", 12);
        metric.svg.append(metric.line, metric.labels);
        metric.caption = document.createElement("figcaption");
        metric.figure.append(metric.svg, metric.caption);
        curves.appendChild(metric.figure);
      }
      const points = metric.points;
      const steps = points.map((p) => p[0]), values = points.map((p) => p[1]);
      const minStep = Math.min(...steps), maxStep = Math.max(...steps);
      const low = Math.min(...values), high = Math.max(...values);
      const x = (step) => pad + (maxStep > minStep ? (step - minStep) / (maxStep - minStep) : 0) * (width - pad - 5);
      const y = (value) => height - pad + 10 - (high > low ? (value - low) / (high - low) : 0.5) * (height - pad - 10);
      metric.line.setAttribute("points", points.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" "));
      metric.labels.textContent = `${high.toPrecision(3)} … ${low.toPrecision(3)}`;
      const last = points[points.length - 1];
      metric.caption.textContent = `${name.replace("_", " ")}: ${last[1].toPrecision(4)} at step ${last[0]} (steps ${minStep}–${maxStep})`;
    }
  }

  function loadResult() {
    if (!result || result.childElementCount > 0) return;
    fetch(result.dataset.jobResult, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => { if (html) result.innerHTML = html; });
  }

  const source = new EventSource(section.dataset.jobEvents);
  const on = (type, handler) => source.addEventListener(type, (e) => handler(JSON.parse(e.data)));
  on("state", (e) => {
    stateBadge.textContent = e.state;
    stateBadge.className = "state state-" + e.state;
    section.querySelector("[data-when=active]").disabled = atRest.includes(e.state);
    section.querySelector("[data-when=resumable]").disabled = !["failed", "cancelled", "interrupted"].includes(e.state);
    if (e.text) message("state", e.text);
    if (e.state === "finished") loadResult();
  });
  // Only the server knows the job is at rest for good: a replay passes through a cancel before a resume.
  source.addEventListener("end", () => source.close());
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
    if (e.memory) memory.textContent = `Server memory (working set): ${formatBytes(e.memory)}`;
  });
  on("metric", (e) => {
    if (!metrics.has(e.text)) metrics.set(e.text, { points: [] });
    metrics.get(e.text).points.push([e.done, e.value]);
    if (!drawPending) { drawPending = true; requestAnimationFrame(drawCurves); }
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
    // A training run's sample strips, as they are made, go above the rest.
    (/^sample, step \d+$/.test(e.text) ? samples : images).appendChild(figure);
  });
})();
