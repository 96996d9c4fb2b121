// DiffusionTune UI: the Generate page. Queues a generate job and shows its images as they arrive.
"use strict";

(function () {
  const jobs = window.DiffusionTuneJobs;
  const form = document.getElementById("generate-form");
  const prompt = document.getElementById("prompt");
  const seed = document.getElementById("seed");
  const random = document.getElementById("random-seed");
  const status = document.getElementById("job-status");
  const errorLine = document.getElementById("form-error");
  const images = document.getElementById("generated-images");
  const button = document.getElementById("generate");

  form.addEventListener("click", (event) => {
    const trigger = event.target.closest(".insert-trigger");
    if (trigger) jobs.insertWord(prompt, trigger.dataset.trigger);
  });
  document.getElementById("insert-embedding").addEventListener("click", () => {
    const option = document.getElementById("embedding").selectedOptions[0];
    if (option && option.value) jobs.insertWord(prompt, option.dataset.trigger);
  });
  seed.addEventListener("input", () => { random.checked = seed.value.trim() === ""; });

  // Follows `job`, showing its images as they arrive; the gallery below gains them when it ends.
  function show(job) {
    jobs.follow(job, {
      status, errorLine, button,
      onImage(e, url) {
        const figure = document.createElement("figure");
        figure.dataset.testid = "generated-image";
        const img = document.createElement("img");
        img.src = url;
        img.alt = e.text;
        const caption = document.createElement("figcaption");
        caption.textContent = e.text;
        figure.append(img, caption);
        images.prepend(figure);
      },
      onEnd() { if (window.htmx) htmx.ajax("GET", "/gallery/fragment", { target: "#gallery", swap: "outerHTML" }); },
    });
  }
  if (images.dataset.followJob) show({ id: images.dataset.followJob });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorLine.textContent = "";
    // A random seed is chosen here, so that the job (and a resume of it) keeps the seed the page shows.
    if (random.checked) seed.value = Math.floor(Math.random() * 4294967295);
    const model = document.getElementById("model").selectedOptions[0];
    const embedding = document.getElementById("embedding").selectedOptions[0];
    const settings = Object.assign(jobs.sampling(), {
      prompt: prompt.value,
      seed: jobs.number("seed"),
      batch_count: jobs.number("batch-count") ?? 1,
      model: model && model.value ? { root: model.dataset.root, path: model.dataset.path } : null,
      loras: jobs.picked("lora", true),
      embedding: embedding && embedding.value ? { root: embedding.dataset.root, path: embedding.dataset.path } : null,
      hypernetworks: jobs.picked("hypernetwork", true),
    });
    let job;
    try {
      job = await jobs.queue("generate", settings);
    } catch (e) {
      errorLine.textContent = e.message;
      return;
    }
    history.replaceState(null, "", `/generate?follow=${encodeURIComponent(job.id)}`);
    show(job);
  });
})();
