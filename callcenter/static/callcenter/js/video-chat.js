// The video panel on a live conversation's page: WebRTC signals go over the chat socket
// (window.CivicChat, from chat.js) as {"type": "signal", "data": ...}; docs/realtime.md.
(function () {
  "use strict";

  function init() {
    var panel = document.querySelector("[data-video-panel]");
    var chat = window.CivicChat;
    var root = document.getElementById("chat");
    if (!panel || !chat || !root || !window.CivicVideo) return;
    var call = window.CivicVideo.create({
      root: panel,
      polite: chat.role === "citizen",
      send: function (data) {
        chat.socket.send({ type: "signal", data: data });
      },
    });
    chat.video = call;
    document.addEventListener("chat:signal", function (event) {
      call.receive(event.detail.data);
    });
    // The chat page keeps the socket's state and the conversation's status on #chat.
    var connection = root.dataset.connection;
    function follow() {
      if (root.dataset.status === "ended") call.end();
      var now = root.dataset.connection;
      if (now === "open" && connection && connection !== "open" && connection !== "connecting") call.reconnected();
      if (now !== "connecting") connection = now;
    }
    new MutationObserver(follow).observe(root, { attributes: true, attributeFilter: ["data-connection", "data-status"] });
    follow();
  }

  // chat.js comes later in the page (deferred scripts run in order): wait for it.
  if (window.CivicChat) init();
  else document.addEventListener("DOMContentLoaded", init);
})();
