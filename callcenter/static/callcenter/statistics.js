/* Charts of the statistics page from the JSON in #cc-charts (Chart.js 4). */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("cc-charts");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = data[canvas.dataset.chart];
      if (!chart) { return; }
      var line = canvas.dataset.chart === "day";
      var title = document.getElementById(canvas.getAttribute("aria-labelledby"));
      new Chart(canvas, {
        type: line ? "line" : "bar",
        data: { labels: chart.labels, datasets: [{ label: title ? title.textContent : "", data: chart.values,
                 backgroundColor: "#0b4f8a", borderColor: "#0b4f8a" }] },
        options: { responsive: true, animation: false, plugins: { legend: { display: false } },  // the section's heading is the title
                   scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
