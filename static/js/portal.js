// Behaviours every page may use, keyed on data-* attributes, so no template needs inline script
// or on*= handlers (the Content-Security-Policy forbids both; README "Security").
//   <form data-confirm="确定删除？">     asks before the form is submitted
//   <button data-action="print">          prints the page
//   <div class="progress-bar" data-progress="40">   sets the bar's width (no style attribute)
(function () {
  "use strict";

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var question = form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest && event.target.closest('[data-action="print"]');
    if (trigger) {
      event.preventDefault();
      window.print();
    }
  });

  function showProgress(root) {
    if (!root.querySelectorAll) {
      return;
    }
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-progress")) || 0));
      bar.style.width = value + "%"; // CSSOM, which a CSP without 'unsafe-inline' allows
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    showProgress(document);
  });
  document.addEventListener("htmx:load", function (event) {
    showProgress(event.target);
  });
})();
