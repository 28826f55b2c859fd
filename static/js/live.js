// Parts of a page that update themselves when the server says they changed (docs/realtime.md, /ws/live/).
//
//   <div id="x" data-live-topic="poll.12" data-live-url="/polls/12/results/partial/"
//        data-live-fallback="30" data-live-also="a.bell" aria-live="polite">…</div>
//
// On {"type": "changed", "topic": "poll.12"} the part is fetched again over HTTP (as htmx would,
// with HX-Request, so the view answers with the partial and applies every rule of the page) and
// swapped in: the response's element of the same id gives the new content, else the whole
// response. data-live-also names further elements replaced from the same response (the bell).
// An empty data-live-url means the page's own address (a filtered queue). While the socket is
// down, each part is fetched every data-live-fallback seconds (60 by default); after a
// reconnection, once, to catch up. A fetched part without data-live-topic is final (a finished
// fan-out): it stops following. Every page hears a push at the same instant: each waits a random
// part of data-live-spread milliseconds (300 by default) before fetching, so a thousand open pages
// do not all ask in the same millisecond (bench/live_results.py measured that herd).
// data-live-again="10": fetch once more 10 s after a push (news a worker cannot push itself).
(function () {
  "use strict";
  if (!window.CivicSocket || !window.fetch || !window.DOMParser) return;

  var parts = {}; // topic -> [element]
  var versions = {}; // topic -> newest version seen
  var socket = null;
  var open = false;
  var fallbackTimers = [];

  function collect() {
    var found = document.querySelectorAll("[data-live-topic]");
    for (var i = 0; i < found.length; i++) {
      var topic = found[i].getAttribute("data-live-topic");
      (parts[topic] = parts[topic] || []).push(found[i]);
    }
  }

  function urlOf(el) {
    return el.getAttribute("data-live-url") || window.location.href;
  }

  function refresh(el) {
    if (el.getAttribute("data-live-busy")) {
      el.setAttribute("data-live-again", "1");
      return;
    }
    el.setAttribute("data-live-busy", "1");
    fetch(urlOf(el), { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        swap(el, new DOMParser().parseFromString(html, "text/html"));
      })
      .catch(function () {})
      .then(function () {
        el.removeAttribute("data-live-busy");
        if (el.getAttribute("data-live-again")) {
          el.removeAttribute("data-live-again");
          refresh(el);
        }
      });
  }

  function swap(el, doc) {
    var same = el.id ? doc.getElementById(el.id) : null;
    el.innerHTML = same ? same.innerHTML : doc.body.innerHTML;
    if (same && !same.hasAttribute("data-live-topic")) stop(el);
    var also = el.getAttribute("data-live-also");
    if (also) {
      var mine = document.querySelectorAll(also);
      var theirs = doc.querySelectorAll(also);
      for (var i = 0; i < mine.length && i < theirs.length; i++) mine[i].replaceWith(document.importNode(theirs[i], true));
    }
    if (window.htmx) window.htmx.process(el);
    el.dispatchEvent(new CustomEvent("live:updated", { bubbles: true }));
  }

  function stop(el) {
    var topic = el.getAttribute("data-live-topic");
    el.removeAttribute("data-live-topic");
    parts[topic] = (parts[topic] || []).filter(function (x) {
      return x !== el;
    });
    if (!parts[topic].length) {
      delete parts[topic];
      if (socket) socket.send({ type: "unsubscribe", topics: [topic] });
    }
  }

  function each(fn) {
    Object.keys(parts).forEach(function (topic) {
      parts[topic].forEach(fn);
    });
  }

  function startFallback() {
    stopFallback();
    each(function (el) {
      var seconds = parseFloat(el.getAttribute("data-live-fallback") || "60");
      fallbackTimers.push(
        window.setInterval(function () {
          if (!open && el.hasAttribute("data-live-topic")) refresh(el);
        }, seconds * 1000)
      );
    });
  }

  function stopFallback() {
    fallbackTimers.forEach(window.clearInterval);
    fallbackTimers = [];
  }

  collect();
  var topics = Object.keys(parts);
  if (!topics.length) return;
  document.documentElement.setAttribute("data-live", "connecting");
  socket = window.CivicSocket.open("/ws/live/", {
    onopen: function (sock, again) {
      open = true;
      stopFallback();
      var now = Object.keys(parts);
      if (now.length) sock.send({ type: "subscribe", topics: now });
      if (again) each(refresh); // news sent while we were away is caught up once
    },
    onmessage: function (message) {
      if (message.type === "subscribed") {
        document.documentElement.setAttribute("data-live", "subscribed");
      } else if (message.type === "changed") {
        if (versions[message.topic] >= message.version) return;
        versions[message.topic] = message.version;
        (parts[message.topic] || []).forEach(function (el) {
          var spread = parseFloat(el.getAttribute("data-live-spread") || "300");
          window.setTimeout(function () {
            refresh(el);
          }, Math.random() * spread);
          var again = parseFloat(el.getAttribute("data-live-again") || "0");
          if (again) {
            window.setTimeout(function () {
              refresh(el);
            }, again * 1000);
          }
        });
      }
    },
    onstate: function (state) {
      if (state === "open") return;
      document.documentElement.setAttribute("data-live", state);
      if (open || state === "closed" || state === "offline") {
        open = false;
        if (!fallbackTimers.length) startFallback();
      }
    },
  });
})();
