// Filing a ticket: a live title counter, and 800 ms after typing stops, a suggested category and priority.
// A select the agent has set by hand is never overwritten; an outdated request is aborted; a failed or
// slow suggestion leaves the form as it was. The suggestion's id goes with the ticket, so the desk records
// whether it was accepted; a field the classifier was unsure of is said to be so.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-classify-url]");
  if (!form) return;
  const title = form.querySelector("#title");
  const description = form.querySelector("#description");
  const selects = { category: form.querySelector("#category"), priority: form.querySelector("#priority") };
  const status = form.querySelector("#suggestion");
  const statusText = status.querySelector("[data-text]");
  const counter = form.querySelector("#title-counter");
  const suggestionId = form.querySelector("#suggestion-id");
  const UNSURE = 0.6;  // below this confidence a suggested field is marked as a guess to check
  const touched = new Set();
  let inflight = null;

  const updateCounter = () => {
    counter.querySelector("[data-count]").textContent = title.value.length;
    counter.classList.toggle("near", title.value.length > 180);
  };
  title.addEventListener("input", updateCounter);
  updateCounter();

  for (const [name, select] of Object.entries(selects)) {
    if (select.value) touched.add(name);  // kept from a submitted form: the agent's choice
    select.addEventListener("change", () => {
      touched.add(name);
      select.classList.remove("suggested");
    });
  }

  function show(state, text) {
    status.dataset.state = state;
    statusText.textContent = text;
  }

  async function suggest() {
    const text = description.value.trim();
    if (inflight) inflight.abort();
    if (!text || (touched.has("category") && touched.has("priority"))) { show("idle", ""); return; }
    inflight = new AbortController();
    const request = inflight;
    show("waiting", "Suggesting a category and priority…");
    const timer = setTimeout(() => request.abort(), 8000);
    try {
      const response = await fetch(form.dataset.classifyUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": TicketDesk.csrfToken() },
        body: JSON.stringify({ description: text, title: title.value.trim() }),
        signal: request.signal,
      });
      if (!response.ok) throw new Error(`classify answered ${response.status}`);
      const body = await response.json();
      const filled = [];
      const unsure = [];
      const confidence = body.confidence || {};
      for (const [name, value] of [["category", body.suggested_category], ["priority", body.suggested_priority]]) {
        if (touched.has(name)) continue;
        selects[name].value = value;
        selects[name].classList.add("suggested");
        const low = name in confidence && confidence[name] < UNSURE;
        selects[name].classList.toggle("unsure", low);
        if (low) unsure.push(name);
        filled.push(selects[name].selectedOptions[0].textContent.toLowerCase());
      }
      if (body.suggestion_id) suggestionId.value = body.suggestion_id;
      const by = body.providers ? `${body.providers.category} and ${body.providers.priority}` : body.provider;
      const doubt = unsure.length ? ` (low confidence in the ${unsure.join(" and ")}: check ${unsure.length > 1 ? "them" : "it"})` : "";
      show(unsure.length ? "unsure" : "done", filled.length ? `Suggested ${filled.join(" / ")} by ${by}${doubt}` : "");
    } catch (err) {
      if (request.signal.aborted && request !== inflight) return;  // replaced by a newer request
      show("idle", "No suggestion right now; choose a category and priority.");
    } finally {
      clearTimeout(timer);
    }
  }

  description.addEventListener("input", TicketDesk.debounce(suggest, 800));
  title.addEventListener("input", TicketDesk.debounce(() => description.value.trim() && suggest(), 800));
});
