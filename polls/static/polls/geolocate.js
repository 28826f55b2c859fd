// "Use my position": fills the lat/lon inputs of a [data-geolocate] form from the
// device. Plain inputs stay usable without it (no map, no internet needed).
(function () {
  "use strict";
  if (!("geolocation" in navigator)) return;
  document.querySelectorAll("form[data-geolocate]").forEach(function (form) {
    var button = form.querySelector(".use-position");
    var lat = form.querySelector("input[name=lat]");
    var lon = form.querySelector("input[name=lon]");
    var status = form.querySelector(".geo-status");
    if (!button || !lat || !lon) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      if (status) status.textContent = button.dataset.locating || "…";
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          lat.value = pos.coords.latitude.toFixed(6);
          lon.value = pos.coords.longitude.toFixed(6);
          if (status) status.textContent = "✓";
        },
        function (err) {
          if (status) status.textContent = err.message;
        },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
      );
    });
  });
})();
