// The ticket list: filters apply as they change (search after a pause) and only the list is replaced.
// Each settled change is an entry in the history, so Back returns to the filters chosen before.
// Without JavaScript the same form submits normally.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-live-filters]");
  if (!form) return;
  let inflight = null;

  function chosen() {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value.trim()) params.set(key, value.trim());
    return `${form.action}${params.toString() ? "?" + params : ""}`;
  }

  function show(params) {  // the form as the address says, when Back or Forward brings one
    for (const field of form.elements) if (field.name) field.value = params.get(field.name) || "";
  }

  async function load(url, remember) {
    if (inflight) inflight.abort();
    inflight = new AbortController();
    const list = document.querySelector("#ticket-list");
    list.setAttribute("aria-busy", "true");
    try {
      const { doc } = await TicketDesk.fetchPage(url, { signal: inflight.signal });
      TicketDesk.swap("#ticket-list", doc);
      if (remember && url !== window.location.href) history.pushState({ filters: true }, "", url);
    } catch (err) {
      if (err.name !== "AbortError") window.location.assign(url);
    } finally {
      document.querySelector("#ticket-list")?.setAttribute("aria-busy", "false");
    }
  }

  // "Select all on this page" ticks every row's box (without JavaScript, tick them one by one)
  document.addEventListener("change", (event) => {
    if (!event.target.matches?.("[data-select-page]")) return;
    for (const box of document.querySelectorAll('.ticket-row input[name="ids"]')) box.checked = event.target.checked;
  });

  const apply = () => load(chosen(), true);
  form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });
  form.querySelectorAll("select").forEach((select) => select.addEventListener("change", apply));
  form.querySelector('input[type="search"]').addEventListener("input", TicketDesk.debounce(apply, 300));
  form.querySelector("input#tag")?.addEventListener("input", TicketDesk.debounce(apply, 300));
  window.addEventListener("popstate", () => {
    show(new URLSearchParams(window.location.search));
    load(window.location.href, false);
  });
});
