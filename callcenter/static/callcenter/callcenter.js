/* 120 Dasan console: keyboard shortcuts and the 1,000-character counter (no inline script: CSP). */
(function () {
  "use strict";
  function counter(el) {
    var input = document.getElementById(el.dataset.counterFor);
    if (!input) { return; }
    var max = parseInt(input.dataset.maxChars || "1000", 10);
    function update() {
      var n = input.value.length;
      el.textContent = n + " / " + max;
      el.classList.toggle("over", n > max);
    }
    input.addEventListener("input", update);
    update();
  }
  document.querySelectorAll("[data-counter-for]").forEach(counter);

  document.addEventListener("keydown", function (event) {
    var form = document.getElementById("contact-form");
    if (form && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (!event.altKey || event.ctrlKey || event.metaKey) { return; }
    var targets = { c: "id_channel", p: "id_caller_phone", a: "id_answer", k: "kb-q", q: "id_question" };
    var target = document.getElementById(targets[event.key.toLowerCase()] || "");
    if (target) {
      event.preventDefault();
      target.focus();
    }
  });
})();
