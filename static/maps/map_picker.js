// The location picker of every form with a position ({% map_picker %}, includes/map_picker.html).
// The latitude/longitude inputs stay the source of truth and the accessible way in: the map,
// "use my position" and "clear" only fill them, and typing in them moves the marker. Each
// change is announced in the status line with the district derived on the server, and
// a "mappicker:change" event (detail: {lat, lon} or null) bubbles from the picker.
(function () {
  "use strict";

  function number(input, limit) {
    var text = (input.value || "").trim().replace(",", ".");
    if (!/^-?\d+(\.\d+)?$/.test(text)) { return null; }
    var value = parseFloat(text);
    return Math.abs(value) <= limit ? value : null;
  }

  function setUp(picker) {
    if (picker.dataset.ready) { return; }
    var data = picker.dataset;
    var latInput = document.getElementById(data.lat);
    var lonInput = document.getElementById(data.lon);
    if (!latInput || !lonInput) { return; }
    var radiusInput = data.radius ? document.getElementById(data.radius) : null;
    data.ready = "1";
    picker.hidden = false;

    // Sit right before the folded coordinates (includes/fields.html), so the map follows
    // the place field; else right after the last of the inputs it fills.
    var folded = lonInput.closest("details.coordinates");
    var anchor = ((radiusInput || lonInput).closest(".field"));
    if (folded) {
      if (folded.previousElementSibling !== picker) { folded.insertAdjacentElement("beforebegin", picker); }
    } else if (anchor && anchor.nextElementSibling !== picker && !anchor.contains(picker)) {
      anchor.insertAdjacentElement("afterend", picker);
    }

    var status = picker.querySelector(".map-picker-status");
    var locate = picker.querySelector("[data-map-locate]");
    var clear = picker.querySelector("[data-map-clear]");
    var map = null, marker = null, circle = null, lookup = 0;

    var element = picker.querySelector(".map-picker-map");
    if (element && window.L && data.tileUrl) {
      var center = data.center.split(",").map(parseFloat);
      map = L.map(element, { zoomControl: false, center: center, zoom: parseInt(data.zoom, 10) || 12 });
      L.control.zoom({ zoomInTitle: data.textZoomIn, zoomOutTitle: data.textZoomOut }).addTo(map);
      L.tileLayer(data.tileUrl, {
        attribution: data.tileAttribution,
        maxZoom: 19,
        // The site's own policy is same-origin; tile servers ask to see which site embeds them.
        referrerPolicy: "strict-origin-when-cross-origin"
      }).addTo(map);
      map.attributionControl.setPrefix(false);
      var icon = L.icon({
        iconUrl: data.icon, iconRetinaUrl: data.icon2x, shadowUrl: data.iconShadow,
        iconSize: [25, 41], iconAnchor: [12, 41], shadowSize: [41, 41]
      });
      // The placed marker takes the keyboard focus: arrow keys move it (Shift: further) and
      // write the new position into the inputs, as dragging it does.
      marker = L.marker(center, { icon: icon, draggable: true, keyboard: true, alt: data.textMarker,
                                  title: data.textMarkerKeys });
      var STEPS = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
      marker.on("add", function () {
        var pin = marker.getElement();
        if (!pin || pin.dataset.keys) { return; }
        pin.dataset.keys = "1";
        pin.addEventListener("keydown", function (event) {
          var step = STEPS[event.key];
          if (!step) { return; }
          event.preventDefault();
          event.stopPropagation();  // the map itself would pan instead
          var pixels = event.shiftKey ? 50 : 10;
          // Projected, not container, points: those are rounded to the pixel, which would
          // nudge the other coordinate too.
          var zoom = map.getZoom();
          var point = map.project(marker.getLatLng(), zoom).add([step[0] * pixels, step[1] * pixels]);
          var at = map.unproject(point, zoom).wrap();
          choose(at.lat, at.lng, false);
          map.panInside(marker.getLatLng(), { padding: [30, 30] });
        });
      });
      map.on("click", function (event) {
        var at = event.latlng.wrap();  // a map panned round the world still gives -180..180
        choose(at.lat, at.lng, false);
      });
      marker.on("dragend", function () {
        var at = marker.getLatLng().wrap();
        choose(at.lat, at.lng, false);
      });
      // The centre cross shows while the keyboard drives the map, not after a tap.
      element.addEventListener("pointerdown", function () { element.classList.remove("keyboard"); });
      element.addEventListener("keydown", function (event) {
        if (event.target !== element) { return; }
        element.classList.add("keyboard");
        if (event.key !== "Enter") { return; }
        event.preventDefault();
        var at = map.getCenter().wrap();
        choose(at.lat, at.lng, false);
      });
    }

    function announce(text) { status.textContent = text; }

    function notify(position) {
      picker.dispatchEvent(new CustomEvent("mappicker:change", { bubbles: true, detail: position }));
    }

    function drawCircle(lat, lon) {
      if (!map) { return; }
      var scale = parseFloat(data.radiusScale) || 1;
      var radius = radiusInput ? parseFloat((radiusInput.value || "").replace(",", ".")) * scale : NaN;
      if (lat === null || !(radius > 0)) {
        if (circle) { circle.remove(); circle = null; }
        return;
      }
      if (!circle) { circle = L.circle([lat, lon], { radius: radius, interactive: false, weight: 2 }).addTo(map); }
      circle.setLatLng([lat, lon]);
      circle.setRadius(radius);
    }

    // Show a position (or none) on the map and in the status line; ``recentre`` pans to it.
    function show(lat, lon, recentre) {
      lookup += 1;
      if (lat === null) {
        if (marker) { marker.remove(); }
        drawCircle(null, null);
        announce(data.textNone);
        notify(null);
        return;
      }
      if (marker) {
        marker.setLatLng([lat, lon]);
        if (!map.hasLayer(marker)) { marker.addTo(map); }
        if (recentre) { map.setView([lat, lon], Math.max(map.getZoom(), 15)); }
      }
      drawCircle(lat, lon);
      notify({ lat: lat, lon: lon });
      // One announcement with the district; the coordinates alone if the lookup fails.
      var where = data.textSelected + " " + lat.toFixed(4) + ", " + lon.toFixed(4);
      var ticket = lookup;
      var url = data.districtUrl + "?lat=" + encodeURIComponent(lat.toFixed(6)) +
        "&lon=" + encodeURIComponent(lon.toFixed(6));
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .catch(function () { return null; })
        .then(function (body) {
          if (ticket !== lookup) { return; }
          var district = body ? (body.district ? body.district.name : data.textOutside) : "";
          announce(district ? where + " — " + district : where);
        });
    }

    // A position picked on the map or from the device: write it into the inputs.
    function choose(lat, lon, recentre) {
      latInput.value = lat.toFixed(6);
      lonInput.value = lon.toFixed(6);
      show(lat, lon, recentre);
    }

    function fromInputs(recentre) {
      var lat = number(latInput, 90), lon = number(lonInput, 180);
      if (lat === null || lon === null) { show(null, null, false); } else { show(lat, lon, recentre); }
    }

    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () { fromInputs(true); });
    });
    if (radiusInput) {
      radiusInput.addEventListener("input", function () {
        drawCircle(number(latInput, 90), number(lonInput, 180));
      });
    }

    clear.addEventListener("click", function () {
      latInput.value = "";
      lonInput.value = "";
      show(null, null, false);
    });

    if (locate && "geolocation" in navigator) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        announce(data.textLocating);
        navigator.geolocation.getCurrentPosition(function (position) {
          choose(position.coords.latitude, position.coords.longitude, true);
        }, function () {
          announce(data.textUnavailable);
        }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
      });
    }

    // A place typed as text: name its district and dong, and show the area on the map
    // (no marker: the place is not a position). A position, when there is one, decides.
    var form = picker.closest("form");
    var placeInput = form ? form.querySelector('input[name$="location_text"]') : null;
    var placeLookup = 0;
    function fromPlace() {
      var text = (placeInput.value || "").trim();
      if (!text || number(latInput, 90) !== null) { return; }
      var ticket = ++placeLookup;
      fetch(data.districtUrl + "?place=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .catch(function () { return null; })
        .then(function (body) {
          if (ticket !== placeLookup || !body || number(latInput, 90) !== null) { return; }
          if (!body.district) { announce(data.textPlaceUnknown); return; }
          announce(data.textPlace + " " + body.district.name + (body.dong ? " " + (body.dong_name || body.dong) : ""));
          if (map && body.centre) { map.setView(body.centre, body.dong ? 15 : 13); }
        });
    }
    if (placeInput) {
      var placeTimer = null;
      placeInput.addEventListener("input", function () {
        clearTimeout(placeTimer);
        placeTimer = setTimeout(fromPlace, 500);
      });
      placeInput.addEventListener("change", fromPlace);
    }

    // A form shown again (an error, a search) keeps its position: show it.
    if (number(latInput, 90) !== null && number(lonInput, 180) !== null) { fromInputs(true); }
  }

  document.querySelectorAll("[data-map-picker]").forEach(setUp);
})();
