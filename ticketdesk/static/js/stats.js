// The dashboard refreshes from GET /api/tickets/stats/ every few seconds while the page is open.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.querySelector("#dashboard[data-stats-url]");
  if (!root) return;

  function render(stats) {
    root.querySelectorAll("[data-stat]").forEach((el) => { el.textContent = stats[el.dataset.stat]; });
    root.querySelectorAll("[data-count]").forEach((el) => {
      const [group, name] = el.dataset.count.split(".");
      el.textContent = stats[group][name];
    });
    const priorities = stats.priority_breakdown;
    const top = Math.max(1, ...Object.values(priorities));
    for (const [name, count] of Object.entries(priorities)) {
      root.querySelector(`[data-bar="${name}"]`)?.setAttribute("width", (100 * count / top).toFixed(2));
    }
    const categories = stats.category_breakdown;
    const total = Object.values(categories).reduce((a, b) => a + b, 0) || 1;
    let start = 0;
    for (const [name, count] of Object.entries(categories)) {
      const share = 100 * count / total;
      const segment = root.querySelector(`[data-segment="${name}"]`);
      if (segment) {
        segment.setAttribute("stroke-dasharray", `${share.toFixed(3)} ${(100 - share).toFixed(3)}`);
        segment.setAttribute("stroke-dashoffset", (25 - start).toFixed(3));
      }
      start += share;
    }
  }

  async function refresh() {
    if (document.hidden) return;
    try {
      const response = await fetch(root.dataset.statsUrl, { credentials: "same-origin" });
      if (response.ok) render(await response.json());
    } catch (err) { /* keep showing the last figures */ }
  }
  setInterval(refresh, 3000);
  document.addEventListener("visibilitychange", refresh);
});
