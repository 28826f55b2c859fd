// "Use my position": fills latitude/longitude from the device, if the browser allows it.
(function () {
  "use strict";
  var button = document.getElementById("use-position");
  var status = document.getElementById("position-status");
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  if (!button || !lat || !lon || !("geolocation" in navigator)) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.waiting || "…";
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(6);
      lon.value = position.coords.longitude.toFixed(6);
      status.textContent = lat.value + ", " + lon.value;
    }, function (error) {
      status.textContent = error.message;
    }, { enableHighAccuracy: true, timeout: 10000 });
  });
})();
