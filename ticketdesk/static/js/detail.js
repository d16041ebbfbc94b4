// One ticket: status moves, triage changes, replies and notes post the same forms in the background and
// show the result at once. Without JavaScript the forms post and redirect as usual.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-enhance]");
    if (!form) return;
    event.preventDefault();
    const body = new FormData(form, event.submitter);  // the clicked button's name and value (reply or note)
    for (const button of form.querySelectorAll('button[type="submit"]')) button.disabled = true;
    try {
      const { response, doc } = await TicketDesk.fetchPage(form.action, { method: "POST", body });
      if (!response.ok && response.status !== 400) throw new Error(`answered ${response.status}`);
      TicketDesk.swap("#ticket", doc);
      TicketDesk.swap("#flashes", doc);
      document.querySelector("#status .chip")?.focus?.();
    } catch (err) {
      form.submit();  // fall back to the plain post
    }
  });
});
