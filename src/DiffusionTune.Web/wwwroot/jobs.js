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

  // Shows `job` in `status` (a link to its page and its state) and follows its events: `button` stays disabled until the
  // job is at rest, a failure shows in `errorLine`, each image goes to onImage(event, url), and onEnd(state) runs at rest.
  follow(job, { status, errorLine, button, onImage, onEnd }) {
    const id = encodeURIComponent(job.id);
    button.disabled = true;
    status.innerHTML = "";
    const link = document.createElement("a");
    link.href = `/jobs/${id}`;
    link.textContent = `job ${job.id}`;
    const state = document.createElement("span");
    state.dataset.testid = "job-state";
    status.append(link, " · ", state);
    const source = new EventSource(`/jobs/${id}/events`);
    source.addEventListener("image", (e) => {
      const data = JSON.parse(e.data);
      onImage(data, `/jobs/${id}/images/${data.id}`);
    });
    source.addEventListener("message", (e) => { state.title = JSON.parse(e.data).text; });
    source.addEventListener("state", (e) => {
      const data = JSON.parse(e.data);
      state.textContent = data.state;
      if (data.state === "failed" && data.text) errorLine.textContent = data.text;
    });
    // The server ends the stream when the job is at rest for good (a replay may pass through a cancel before a resume).
    source.addEventListener("end", () => {
      source.close();
      button.disabled = false;
      if (onEnd) onEnd(state.textContent);
    });
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
