// One ticket: status moves, triage changes, replies and notes post the same forms in the background and
// show the result at once. Without JavaScript the forms post and redirect as usual.
"use strict";

// "Insert" a saved reply: the server fills it in for this ticket; the script puts it at the cursor, keeping
// what the agent already typed, and stages a macro's changes (without JavaScript the page reloads with it in
// an empty composer).
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
    // a macro's changes and note are staged beside the composer, as the page without JavaScript shows them
    document.querySelector("#composer fieldset.staged")?.remove();
    const staged = doc.querySelector("#composer fieldset.staged");
    if (staged) document.getElementById("mention-suggestions").after(document.importNode(staged, true));
  } catch (err) {
    form.submit();
  }
  return true;
}

// Tags are suggested as they are typed: the desk's tags that start with the last word, offered as the whole
// field with that word completed (a datalist completes the whole value). Without JavaScript none are offered.
const suggestTags = TicketDesk.debounce(async (input) => {
  const words = input.value.split(/\s+/);
  const last = words.pop();
  const list = document.getElementById("tag-suggestions");
  if (!list) return;
  if (!last) { list.replaceChildren(); return; }
  try {
    const response = await fetch(`/api/tags/?q=${encodeURIComponent(last)}`, { credentials: "same-origin" });
    if (!response.ok) return;
    const before = words.length ? words.join(" ") + " " : "";
    list.replaceChildren(...(await response.json()).map((tag) => {
      const option = document.createElement("option");
      option.value = before + tag;
      return option;
    }));
  } catch (err) { /* no suggestions; typing still works */ }
}, 250);

// "@" in the composer offers the agents whose email or name starts with what follows it; choosing one writes
// the mention that names them alone (their email). Without JavaScript an agent types the mention in full.
const MENTION_BEING_TYPED = /(?:^|[^\w@])@([\w.+-]{1,60})$/;

const suggestMentions = TicketDesk.debounce(async (box) => {
  const shelf = document.getElementById("mention-suggestions");
  if (!shelf) return;
  const typed = box.value.slice(0, box.selectionStart ?? box.value.length).match(MENTION_BEING_TYPED);
  if (!typed) { shelf.hidden = true; shelf.replaceChildren(); return; }
  try {
    const response = await fetch(`/api/agents/?q=${encodeURIComponent(typed[1])}`, { credentials: "same-origin" });
    if (!response.ok) return;
    const agents = await response.json();
    shelf.replaceChildren(...agents.map((agent) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button mention";
      button.textContent = agent.name ? `${agent.name} <${agent.email}>` : agent.email;
      button.addEventListener("click", () => mention(box, typed[1], agent.mention));
      return button;
    }));
    shelf.hidden = agents.length === 0;
  } catch (err) { /* no suggestions; typing still works */ }
}, 200);

function mention(box, typed, written) {
  const at = box.selectionStart ?? box.value.length;
  const start = at - typed.length - 1;  // the "@" itself
  box.value = box.value.slice(0, start) + written + " " + box.value.slice(at);
  box.focus();
  box.setSelectionRange(start + written.length + 1, start + written.length + 1);
  const shelf = document.getElementById("mention-suggestions");
  shelf.hidden = true;
  shelf.replaceChildren();
}

document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("input", (event) => {
    if (event.target.matches?.("input#tags")) suggestTags(event.target);
    if (event.target.matches?.("#composer textarea[name=body]")) suggestMentions(event.target);
  });
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
