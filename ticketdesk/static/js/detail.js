// One ticket: status moves, triage changes, replies and notes post the same forms in the background and
// show the result at once. Without JavaScript the forms post and redirect as usual.
"use strict";

// "Insert" a saved reply: the server fills it in for this ticket; the script puts it at the cursor, keeping
// what the agent already typed (without JavaScript the page reloads with it in an empty composer).
async function insertSaved(event) {
  const form = event.target.closest("form#insert-saved");
  if (!form) return false;
  event.preventDefault();
  const url = new URL(form.action, location.href);
  url.search = new URLSearchParams(new FormData(form)).toString();
  url.hash = "";
  try {
    const { doc } = await TicketDesk.fetchPage(url);
    const filled = doc.querySelector("#composer textarea[name=body]")?.value || "";
    const box = document.querySelector("#composer textarea[name=body]");
    const at = box.selectionStart ?? box.value.length;
    box.value = box.value.slice(0, at) + filled + box.value.slice(box.selectionEnd ?? at);
    box.focus();
    box.setSelectionRange(at + filled.length, at + filled.length);
  } catch (err) {
    form.submit();
  }
  return true;
}

document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("submit", async (event) => {
    if (await insertSaved(event)) return;
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
