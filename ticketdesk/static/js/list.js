// The ticket list: filters apply as they change (search after a pause), the URL keeps them, and only the
// list is replaced. Without JavaScript the same form submits normally.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-live-filters]");
  if (!form) return;
  let inflight = null;

  async function apply() {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value.trim()) params.set(key, value.trim());
    const url = `${form.action}${params.toString() ? "?" + params : ""}`;
    if (inflight) inflight.abort();
    inflight = new AbortController();
    const list = document.querySelector("#ticket-list");
    list.setAttribute("aria-busy", "true");
    try {
      const { doc } = await TicketDesk.fetchPage(url, { signal: inflight.signal });
      TicketDesk.swap("#ticket-list", doc);
      history.replaceState(null, "", url);
    } catch (err) {
      if (err.name !== "AbortError") window.location.assign(url);
    } finally {
      document.querySelector("#ticket-list")?.setAttribute("aria-busy", "false");
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });
  form.querySelectorAll("select").forEach((select) => select.addEventListener("change", apply));
  form.querySelector('input[type="search"]').addEventListener("input", TicketDesk.debounce(apply, 300));
});
