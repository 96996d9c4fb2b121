// DiffusionTune UI: queueing a job from a page and following its events (used by generate.js and compare.js).
"use strict";

window.DiffusionTuneJobs = {
  // POSTs {kind, settings} to /api/jobs with the page's request token; resolves to the job, rejects with the server's one-line error.
  async queue(kind, settings) {
    return this.post("/api/jobs", { kind, settings });
  },

  async post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-DiffusionTune-Csrf": document.body.dataset.requestToken },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(text || `the server answered ${response.status}`);
    return JSON.parse(text);
  },

  // Follows job `id`'s events: onImage(event, url) for each image, onState(state, text) for each state; closes at rest.
  watch(id, { onImage, onState, onMessage }) {
    const source = new EventSource(`/jobs/${encodeURIComponent(id)}/events`);
    const atRest = ["finished", "failed", "cancelled", "interrupted"];
    source.addEventListener("image", (e) => {
      const data = JSON.parse(e.data);
      onImage(data, `/jobs/${encodeURIComponent(id)}/images/${data.id}`);
    });
    source.addEventListener("message", (e) => onMessage && onMessage(JSON.parse(e.data).text));
    source.addEventListener("error", (e) => { if (e.data) onMessage && onMessage(JSON.parse(e.data).text); });
    source.addEventListener("state", (e) => {
      const data = JSON.parse(e.data);
      onState(data.state, data.text);
      if (atRest.includes(data.state)) source.close();
    });
    return source;
  },

  // Number from an input; null when it is empty.
  number(id) {
    const value = document.getElementById(id).value.trim();
    return value === "" ? null : Number(value);
  },

  // The picked library items of a checkbox group: [{root, path, strength?}].
  picked(name, withStrength) {
    return [...document.querySelectorAll(`input[type=checkbox][name=${name}]:checked`)].map((box) => {
      const item = { root: box.dataset.root, path: box.dataset.path };
      if (withStrength) item.strength = Number(box.closest(".pick").querySelector(".strength").value || 1);
      return item;
    });
  },

  // Inserts `word` into the prompt box (at the end, comma-separated) unless it is there.
  insertWord(textarea, word) {
    if (!word || new RegExp(`(^|\\W)${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\W|$)`).test(textarea.value)) return;
    textarea.value = textarea.value.trim() === "" ? word : `${textarea.value.trim()}, ${word}`;
  },

  // The sampling fields both pages share, as settings.
  sampling() {
    return {
      negative_prompt: document.getElementById("negative-prompt").value,
      steps: this.number("steps"),
      cfg: this.number("cfg"),
      sampler: document.getElementById("sampler").value,
      width: this.number("width"),
      height: this.number("height"),
    };
  },
};
