// "Use my position" for the circle of an alert: fills the centre from the browser's location.
(function () {
  var button = document.getElementById("use-my-position");
  if (!button || !navigator.geolocation) { if (button) { button.hidden = true; } return; }
  var status = document.getElementById("geo-status");
  button.addEventListener("click", function () {
    status.textContent = button.dataset.waiting;
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("id_circle_lat").value = position.coords.latitude.toFixed(6);
      document.getElementById("id_circle_lon").value = position.coords.longitude.toFixed(6);
      var circle = document.querySelector("input[name=area_kind][value=circle]");
      if (circle) { circle.checked = true; }
      status.textContent = button.dataset.done;
    }, function () { status.textContent = button.dataset.failed; });
  });
})();
