// DiffusionTune UI: the Compare page. Lays out the grid the settings make, queues a compare job, and fills the cells
// as they finish (each cell's file is named r<row>-c<column>-s<seed>.png), then shows the grid image.
"use strict";

(function () {
  const jobs = window.DiffusionTuneJobs;
  const form = document.getElementById("compare-form");
  const table = document.getElementById("compare-grid");
  const final = document.getElementById("compare-final");
  const status = document.getElementById("job-status");
  const errorLine = document.getElementById("form-error");
  const button = document.getElementById("compare-start");

  function axis(name) {
    const chosen = document.getElementById(`${name}-axis`).value;
    const values = document.getElementById(`${name}-values`).value.trim();
    return chosen ? `${chosen}:${values}` : null;
  }

  function embedding() {
    const option = document.getElementById("compare-embedding").selectedOptions[0];
    return option && option.value ? { root: option.dataset.root, path: option.dataset.path } : null;
  }

  function settings() {
    return Object.assign(jobs.sampling(), {
      prompts: document.getElementById("compare-prompts").value.split("\n").map((p) => p.trim()).filter((p) => p !== ""),
      seed: jobs.number("seed") ?? 1,
      seeds: jobs.number("seed-count") ?? 1,
      models: jobs.picked("model", false),
      loras: jobs.picked("lora", false),
      hypernetworks: jobs.picked("hypernetwork", false),
      embeddings: embedding(),
      strengths: document.getElementById("strengths").value.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number),
      include_base: document.getElementById("include-base").checked,
      x: axis("x"),
      y: axis("y"),
    });
  }

  function layOut(plan) {
    table.innerHTML = "";
    const head = table.createTHead().insertRow();
    head.appendChild(document.createElement("th"));
    for (const label of plan.columns) {
      const th = document.createElement("th");
      th.textContent = label;
      head.appendChild(th);
    }
    const body = table.createTBody();
    plan.rows.forEach((label, row) => {
      const tr = body.insertRow();
      const th = document.createElement("th");
      th.textContent = label;
      tr.appendChild(th);
      plan.columns.forEach((_, column) => {
        const td = tr.insertCell();
        td.dataset.testid = "grid-cell";
        td.dataset.row = row;
        td.dataset.column = column;
        td.className = "pending";
      });
    });
  }

  // Follows `job`, putting each cell's image in its place in the table and the grid image below it.
  function fill(job) {
    jobs.follow(job, {
      status, errorLine, button,
      onImage(e, url) {
        const cell = /r(\d+)-c(\d+)-s-?\d+\.png$/.exec(e.path || "");
        if (cell) {
          const td = table.querySelector(`td[data-row="${Number(cell[1])}"][data-column="${Number(cell[2])}"]`);
          if (!td) return;
          td.className = "done";
          td.innerHTML = "";
          const img = document.createElement("img");
          img.src = url;
          img.alt = e.text;
          img.dataset.testid = "grid-cell-image";
          td.appendChild(img);
        } else if (/grid\.png$/.test(e.path || "")) {
          document.getElementById("compare-final-image").src = url;
          final.hidden = false;
        }
      },
    });
  }

  // A page opened on a job (its address after Start) lays out that job's grid and fills it from its events.
  if (table.dataset.followJob) {
    jobs.post("/api/compare/plan", JSON.parse(table.dataset.followSettings))
      .then((plan) => { layOut(plan); fill({ id: table.dataset.followJob }); })
      .catch((e) => { errorLine.textContent = e.message; });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorLine.textContent = "";
    final.hidden = true;
    const wanted = settings();
    let job;
    try {
      layOut(await jobs.post("/api/compare/plan", wanted));
      job = await jobs.queue("compare", wanted);
    } catch (e) {
      errorLine.textContent = e.message;
      return;
    }
    history.replaceState(null, "", `/compare?follow=${encodeURIComponent(job.id)}`);
    fill(job);
  });
})();
