// Draws the yearly statistics chart from the table on the page (no inline data).
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("stats-chart");
    var rows = document.querySelectorAll("#stats-table tbody tr[data-year]");
    if (!canvas || !window.Chart || rows.length === 0) { return; }
    var years = [], received = [], adopted = [];
    Array.prototype.slice.call(rows).reverse().forEach(function (row) {
      years.push(row.dataset.year);
      received.push(Number(row.dataset.received));
      adopted.push(Number(row.dataset.adopted));
    });
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: years,
        datasets: [
          { label: canvas.dataset.labelsReceived, data: received, backgroundColor: "#0b4f8a" },
          { label: canvas.dataset.labelsAdopted, data: adopted, backgroundColor: "#1d6b36" }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { title: { display: true, text: canvas.dataset.title } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }  // counts: whole numbers
      }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
