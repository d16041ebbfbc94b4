// Shared by every page: relative times that stay fresh, and page fetches that swap a region in place.
"use strict";

window.TicketDesk = (() => {
  const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

  const units = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600], ["minute", 60]];
  function ago(date) {
    const seconds = Math.round((Date.now() - date.getTime()) / 1000);
    if (seconds < 45) return "just now";
    for (const [unit, size] of units) {
      if (seconds >= size) {
        const n = unit === "minute" ? Math.max(1, Math.floor(seconds / 60)) : Math.max(1, Math.round(seconds / size));
        return `${n} ${unit}${n === 1 ? "" : "s"} ago`;
      }
    }
    return "just now";
  }
  function refreshTimes(root = document) {
    root.querySelectorAll("time[data-relative]").forEach((el) => {
      el.textContent = ago(new Date(el.getAttribute("datetime")));
    });
  }

  // Fetch a page of this site and return it parsed; the server renders every state, the script swaps it in.
  async function fetchPage(url, options = {}) {
    const response = await fetch(url, { credentials: "same-origin", ...options });
    const html = await response.text();
    return { response, doc: new DOMParser().parseFromString(html, "text/html") };
  }

  function swap(selector, doc) {
    const fresh = doc.querySelector(selector);
    const current = document.querySelector(selector);
    if (fresh && current) {
      current.replaceWith(fresh);
      refreshTimes(fresh);
    }
    return fresh;
  }

  function debounce(fn, ms) {
    let timer;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  // A live part: JSON from the URL the element names, applied to it; without JavaScript, or when the fetch
  // fails, the element works as the server drew it.
  async function live(selector, url, apply) {
    const element = document.querySelector(selector);
    if (!element) return;
    try {
      const response = await fetch(url(element), { credentials: "same-origin" });
      if (response.ok) apply(element, await response.json());
    } catch (err) { /* as drawn */ }
  }

  // Each queue's count (/api/views/), once a page; the bell's unread count, as the page loads and every minute.
  const queueCounts = () => live("nav.queues[data-counts]", (nav) => nav.dataset.counts, (nav, queues) => {
    for (const queue of queues) {
      const badge = nav.querySelector(`[data-queue="${queue.key}"]`);
      if (badge) badge.textContent = queue.count.toLocaleString("en") + (queue.exact ? "" : "+");
    }
  });
  const unreadCount = () => live("a.bell[data-unread-from]", (bell) => bell.dataset.unreadFrom, (bell, { unread }) => {
    bell.querySelector("[data-unread]").textContent = unread ? unread.toLocaleString("en") : "";
    bell.classList.toggle("has-unread", unread > 0);
  });

  document.addEventListener("DOMContentLoaded", () => {
    refreshTimes();
    setInterval(refreshTimes, 30000);
    queueCounts();
    unreadCount();
    setInterval(unreadCount, 60000);
  });

  return { csrfToken, fetchPage, swap, debounce, refreshTimes };
})();
