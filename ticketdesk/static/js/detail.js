// One ticket: status moves and triage changes post the same forms in the background and show the result
// at once. Without JavaScript the forms post and redirect as usual.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-enhance]");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    try {
      const { response, doc } = await TicketDesk.fetchPage(form.action, { method: "POST", body: new FormData(form) });
      if (!response.ok && response.status !== 400) throw new Error(`answered ${response.status}`);
      TicketDesk.swap("#ticket", doc);
      TicketDesk.swap("#flashes", doc);
      document.querySelector("#status .chip")?.focus?.();
    } catch (err) {
      form.submit();  // fall back to the plain post
    }
  });
});
