// 120 live counselling: the conversation page of the citizen and the counsellor's workspace.
// Protocol: docs/realtime.md ("120 live counselling"). User text is only ever set with
// textContent, never as HTML.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root || !window.CivicSocket) return;
  var d = root.dataset;
  var role = d.role;
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var text = document.getElementById("chat-text");
  var imageInput = document.getElementById("chat-image");
  var typingLine = document.getElementById("chat-typing");
  var errorLine = document.getElementById("chat-error");
  var connection = document.getElementById("chat-connection");
  var endButton = document.getElementById("chat-end");
  var lastSeq = 0;
  var bySeq = {};
  var pending = {}; // client_id -> {text, node}: sent, not yet acknowledged
  var otherRead = 0;
  var readSent = 0;
  var typingOn = false;
  var typingTimer = null;
  var otherTypingTimer = null;
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value ||
    (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (content) node.textContent = content;
    return node;
  }

  function mine(message) {
    return message.from === role;
  }

  function authorOf(message) {
    if (mine(message)) return d.tYou;
    return message.author || (message.from === "citizen" ? d.tCitizen : d.tCounsellor);
  }

  function time(iso) {
    if (!iso) return "";
    var at = new Date(iso);
    return at.toLocaleTimeString(document.documentElement.lang || [], { hour: "2-digit", minute: "2-digit" });
  }

  function messageNode(message) {
    var item = el("li", "chat-message " + (mine(message) ? "mine" : "theirs"));
    item.dataset.seq = message.seq || "";
    item.dataset.clientId = message.client_id || "";
    var meta = el("p", "chat-meta");
    meta.appendChild(el("span", "chat-author", authorOf(message)));
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(el("time", "chat-time", time(message.sent_at)));
    item.appendChild(meta);
    if (message.text) item.appendChild(el("p", "chat-text", message.text));
    if (message.image) {
      var img = document.createElement("img");
      img.src = message.image;
      img.alt = d.tImage;
      img.className = "chat-image";
      img.loading = "lazy";
      item.appendChild(img);
    }
    if (mine(message)) item.appendChild(el("p", "chat-state meta", message.seq ? "" : d.tSending));
    return item;
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function show(message) {
    if (!message.seq || bySeq[message.seq]) return; // seen already: never twice
    var node = messageNode(message);
    var waiting = pending[message.client_id];
    if (waiting && waiting.node && waiting.node.parentNode) {
      log.replaceChild(node, waiting.node);
      delete pending[message.client_id];
    } else {
      log.appendChild(node);
    }
    bySeq[message.seq] = node;
    if (message.seq > lastSeq) lastSeq = message.seq;
    markRead();
    updateReadMarks();
    scrollDown();
  }

  function updateReadMarks() {
    Object.keys(bySeq).forEach(function (seq) {
      var node = bySeq[seq];
      if (!node.classList.contains("mine")) return;
      var state = node.querySelector(".chat-state");
      if (state) state.textContent = Number(seq) <= otherRead ? d.tRead : "";
    });
  }

  function markRead() {
    if (document.visibilityState !== "visible" || lastSeq <= readSent) return;
    readSent = lastSeq;
    socket.send({ type: "read", seq: lastSeq });
  }

  function setError(message) {
    errorLine.textContent = message || "";
  }

  // --- waiting, active, ended ------------------------------------------------------------------
  var waitingBox = document.getElementById("chat-waiting");
  var stateLine = document.getElementById("chat-state");
  var offer = document.getElementById("chat-offer-message");
  var withLine = document.getElementById("chat-with");
  var endedBox = document.getElementById("chat-ended");
  var answerSeconds = Number(d.answerSeconds || 0);
  var loadedAt = Date.now();

  function showStatus(state) {
    d.status = state.status;
    if (waitingBox) waitingBox.hidden = state.status !== "waiting";
    if (stateLine && state.status === "waiting") {
      var parts = [];
      if (state.queue_position) parts.push(fill(d.tPosition, { n: state.queue_position }));
      parts.push(
        state.expected_wait_seconds === null || state.expected_wait_seconds === undefined
          ? d.tNoEstimate
          : fill(d.tWait, { m: Math.max(1, Math.round(state.expected_wait_seconds / 60)) })
      );
      stateLine.textContent = parts.join(" ");
    }
    if (withLine) {
      withLine.hidden = state.status !== "active" || !state.counsellor;
      if (state.counsellor) withLine.textContent = fill(d.tActive, { name: state.counsellor });
    }
    if (state.status === "ended") {
      if (endedBox) endedBox.hidden = false;
      if (endButton) endButton.hidden = true;
      form.querySelectorAll("textarea, input, button").forEach(function (n) { n.disabled = true; });
    }
  }

  if (offer && answerSeconds) {
    window.setInterval(function () {
      offer.hidden = !(d.status === "waiting" && Date.now() - loadedAt > answerSeconds * 1000);
    }, 1000);
  }

  // --- notes (counsellors) ---------------------------------------------------------------------
  var notes = document.getElementById("chat-notes");
  var noteForm = document.getElementById("note-form");
  var seenNotes = {};

  function showNote(note) {
    if (!notes || seenNotes[note.id]) return;
    seenNotes[note.id] = true;
    var item = el("li", "chat-note");
    item.appendChild(el("p", "meta", (note.author || "") + " · " + time(note.at)));
    item.appendChild(el("p", "chat-text", note.text));
    notes.appendChild(item);
  }

  // --- the socket ------------------------------------------------------------------------------
  var socket = window.CivicSocket.open(d.socket, {
    onopen: function (sock) {
      sock.send({ type: "join", after: lastSeq });
    },
    onstate: function (state) {
      var label = { connecting: d.tConnecting, offline: d.tOffline, closed: d.tClosed, open: "" }[state];
      connection.textContent = label || "";
      root.dataset.connection = state;
    },
    onmessage: function (message) {
      switch (message.type) {
        case "joined":
          message.messages.forEach(show);
          otherRead = message.read[role === "citizen" ? "counsellor" : "citizen"];
          updateReadMarks();
          showStatus(message.conversation);
          (message.notes || []).forEach(showNote);
          // Whatever was sent and not acknowledged goes again, with the same client id.
          Object.keys(pending).forEach(function (clientId) {
            socket.send({ type: "message", client_id: clientId, text: pending[clientId].text });
          });
          break;
        case "message":
          show(message);
          break;
        case "ack":
          var waiting = pending[message.client_id];
          if (waiting && waiting.node) waiting.node.dataset.seq = message.seq;
          break;
        case "typing":
          typingLine.textContent = message.on ? d.tTyping : "";
          if (otherTypingTimer) window.clearTimeout(otherTypingTimer);
          if (message.on) otherTypingTimer = window.setTimeout(function () { typingLine.textContent = ""; }, 8000);
          break;
        case "read":
          if (message.from !== role) {
            otherRead = Math.max(otherRead, message.seq);
            updateReadMarks();
          }
          break;
        case "status":
          showStatus(message);
          break;
        case "note":
          showNote(message);
          break;
        case "error":
          setError(message.message);
          break;
        default:
          document.dispatchEvent(new CustomEvent("chat:" + message.type, { detail: message }));
      }
    },
  });
  // The video panel (and tests) reach the socket here.
  window.CivicChat = { socket: socket, role: role, kind: d.kind, conversation: d.conversation };

  function setTyping(on) {
    if (on === typingOn) return;
    typingOn = on;
    socket.send({ type: "typing", on: on });
  }

  text.addEventListener("input", function () {
    setTyping(text.value.length > 0);
    if (typingTimer) window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(function () { setTyping(false); }, 4000);
  });

  text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = text.value.trim();
    if (!value) return;
    setError("");
    var clientId = uuid();
    var node = messageNode({ from: role, text: value, client_id: clientId });
    log.appendChild(node);
    scrollDown();
    pending[clientId] = { text: value, node: node };
    socket.send({ type: "message", client_id: clientId, text: value });
    text.value = "";
    setTyping(false);
  });

  imageInput.addEventListener("change", function () {
    var file = imageInput.files[0];
    if (!file) return;
    setError("");
    var body = new FormData();
    body.append("image", file);
    body.append("client_id", uuid());
    fetch(d.upload, { method: "POST", body: body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.detail || d.tUploadFailed);
          show(data);
        });
      })
      .catch(function (error) { setError(error.message || d.tUploadFailed); })
      .finally(function () { imageInput.value = ""; });
  });

  if (endButton) {
    endButton.addEventListener("click", function () {
      socket.send({ type: "end" });
    });
  }

  if (noteForm) {
    noteForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var area = document.getElementById("note-text");
      var value = area.value.trim();
      if (!value) return;
      socket.send({ type: "note", text: value });
      area.value = "";
    });
  }

  // One step: a knowledge-base article as the answer.
  var kbResults = document.getElementById("kb-results");
  if (kbResults) {
    kbResults.addEventListener("click", function (event) {
      var button = event.target.closest(".kb-send");
      if (!button) return;
      var body = new FormData();
      body.append("article", button.dataset.article);
      body.append("client_id", uuid());
      fetch(kbResults.dataset.articleUrl, {
        method: "POST", body: body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin",
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.detail);
          show(data);
        });
      }).catch(function (error) { setError(error.message); });
    });
  }

  document.addEventListener("visibilitychange", markRead);
})();
