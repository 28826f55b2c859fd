// The counsellors' live queue, pushed over /ws/callcenter/queue/ (docs/realtime.md).
(function () {
  "use strict";
  var root = document.getElementById("live-queue");
  if (!root || !window.CivicSocket) return;
  var d = root.dataset;
  var connection = document.getElementById("queue-connection");
  var NIL = "00000000-0000-0000-0000-000000000000";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function kindLabel(kind) {
    return d["tKind" + kind.replace(/(^|_)(\w)/g, function (_, __, c) { return c.toUpperCase(); })] || kind;
  }

  function acceptForm(id, enabled) {
    var form = el("form");
    form.method = "post";
    form.action = d.accept.replace(NIL, id);
    var csrf = el("input");
    csrf.type = "hidden";
    csrf.name = "csrfmiddlewaretoken";
    csrf.value = d.csrf;
    form.appendChild(csrf);
    var button = el("button", "primary", d.tAccept);
    button.type = "submit";
    button.disabled = !enabled;
    form.appendChild(button);
    return form;
  }

  function render(snapshot) {
    ["sign_language", "foreign", "korean"].forEach(function (queue) {
      var list = root.querySelector('[data-queue="' + queue + '"]');
      list.textContent = "";
      var rows = snapshot.waiting.filter(function (row) { return row.queue === queue; });
      root.querySelector('[data-count="' + queue + '"]').textContent = rows.length;
      if (!rows.length) list.appendChild(el("li", "meta", d.tNone));
      rows.forEach(function (row) {
        var item = el("li", "queue-row");
        item.dataset.id = row.id;
        var line = el("p");
        line.appendChild(el("strong", "", kindLabel(row.kind)));
        line.appendChild(document.createTextNode(" · " + row.language.toUpperCase() + " · " + row.topic + " · "));
        line.appendChild(el("span", "meta", fill(d.tWaiting, { m: Math.floor(row.waiting_seconds / 60) })));
        item.appendChild(line);
        item.appendChild(acceptForm(row.id, row.can_take));
        list.appendChild(item);
      });
    });
    var mine = document.getElementById("queue-mine");
    mine.textContent = "";
    if (!snapshot.mine.length) mine.appendChild(el("li", "meta", d.tNone));
    snapshot.mine.forEach(function (row) {
      var item = el("li", "queue-row");
      var link = el("a", "", kindLabel(row.kind) + " · " + row.citizen + " · " + row.topic);
      link.href = d.work.replace(NIL, row.id);
      item.appendChild(link);
      if (row.unread) item.appendChild(el("span", "tag", fill(d.tUnread, { n: row.unread })));
      if (row.grace_until) item.appendChild(el("span", "tag overdue", d.tGrace));
      mine.appendChild(item);
    });
    var capacity = document.getElementById("capacity");
    capacity.textContent = fill(capacity.dataset.t, { n: snapshot.mine.length, max: snapshot.capacity });
  }

  render(JSON.parse(document.getElementById("queue-initial").textContent));
  window.CivicSocket.open(d.socket, {
    onstate: function (state) {
      connection.textContent = state === "open" ? "" : state === "offline" ? "…" : "";
      root.dataset.connection = state;
    },
    onmessage: function (message) {
      if (message.type === "queue") render(message);
    },
  });
})();
