// Staff tables on a phone: each cell of a `table.stack` carries its column's heading in
// data-label, so the CSS can show every row as a stacked card on narrow screens. Cells
// that already have a data-label (set by the template) are left alone; rows swapped in
// by htmx are labelled too.
(function () {
  "use strict";
  function label(root) {
    (root || document).querySelectorAll("table.stack").forEach(function (table) {
      var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (!cell.hasAttribute("data-label") && headings[index] && !cell.hasAttribute("colspan")) {
            cell.setAttribute("data-label", headings[index]);
          }
        });
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", function () { label(); }); } else { label(); }
  document.addEventListener("htmx:afterSwap", function (event) { label(event.target); });
})();
