// Charts of the citizens' voice report, from the JSON the page embeds (CSP: no inline script).
(function () {
  "use strict";
  var node = document.getElementById("report-data");
  if (!node || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  function draw(id, type, set) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    new Chart(canvas, {
      type: type,
      data: { labels: set.labels, datasets: [{ label: set.label, data: set.values, backgroundColor: "#0b4f8a" }] },
      options: {
        responsive: true,
        animation: false,
        plugins: { legend: { display: false } },  // the figure's caption is its title
        // Counts are whole numbers: no 0.5 case on the axis.
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }
  draw("chart-series", "bar", data.series);
  draw("chart-kinds", "bar", data.kinds);
  draw("chart-channels", "bar", data.channels);
})();
