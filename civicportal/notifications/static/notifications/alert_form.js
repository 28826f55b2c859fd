// Picking a centre on the map (or from the device) means the area is a circle.
(function () {
  "use strict";
  document.addEventListener("mappicker:change", function (event) {
    var circle = document.querySelector("input[name=area_kind][value=circle]");
    if (circle && event.detail) { circle.checked = true; }
  });
})();
