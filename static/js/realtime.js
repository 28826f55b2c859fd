// The portal's socket client (protocol: docs/realtime.md). One reconnecting JSON socket:
//   var socket = CivicSocket.open("/ws/live/", {
//     onopen: function (socket, reconnected) {...},   // (re)subscribe or catch up here
//     onmessage: function (message) {...},
//     onstate: function (state) {...}                 // "connecting" | "open" | "closed" | "offline"
//   });
//   socket.send({type: "..."});                       // queued while the socket is down
// Reconnects with back-off (1 s doubling to 30 s, with jitter); stops on a refusal code
// (4401 unauthenticated, 4403 forbidden, 4404 not found) and reports "closed".
(function (global) {
  "use strict";
  var FINAL = { 4400: true, 4401: true, 4403: true, 4404: true, 4410: true };

  function url(path) {
    var scheme = global.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + global.location.host + path;
  }

  function open(path, handlers) {
    handlers = handlers || {};
    var ws = null;
    var delay = 1000;
    var queue = [];
    var opened = false;
    var stopped = false;
    var timer = null;

    function state(name) {
      if (handlers.onstate) handlers.onstate(name);
    }

    function connect() {
      state("connecting");
      ws = new global.WebSocket(url(path));
      ws.onopen = function () {
        delay = 1000;
        var again = opened;
        opened = true;
        state("open");
        if (handlers.onopen) handlers.onopen(api, again);
        while (queue.length && ws.readyState === 1) ws.send(queue.shift());
      };
      ws.onmessage = function (event) {
        var message;
        try {
          message = JSON.parse(event.data);
        } catch (e) {
          return;
        }
        if (handlers.onmessage) handlers.onmessage(message, api);
      };
      ws.onclose = function (event) {
        ws = null;
        if (stopped || FINAL[event.code]) {
          state("closed");
          if (handlers.onclose) handlers.onclose(event.code);
          return;
        }
        state("offline");
        var wait = delay + Math.random() * 500;
        delay = Math.min(delay * 2, 30000);
        timer = global.setTimeout(connect, wait);
      };
    }

    var api = {
      send: function (message) {
        var text = JSON.stringify(message);
        if (ws && ws.readyState === 1) ws.send(text);
        else queue.push(text);
      },
      close: function () {
        stopped = true;
        if (timer) global.clearTimeout(timer);
        if (ws) ws.close(1000);
      },
      // Drop the connection as a network failure would (tests and the "reconnect" button).
      drop: function () {
        if (ws) ws.close(4000);
      },
      get connected() {
        return !!ws && ws.readyState === 1;
      },
    };
    global.addEventListener("online", function () {
      if (!ws && !stopped) {
        if (timer) global.clearTimeout(timer);
        delay = 1000;
        connect();
      }
    });
    connect();
    return api;
  }

  global.CivicSocket = { open: open };
})(window);
