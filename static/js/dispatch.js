// Dispatch form: the handler list offers only the handlers of the chosen department.
// A handler <select data-department-field="lead_department"> holds options whose
// data-departments lists the ids of the departments that person handles for. Forms loaded
// later by htmx are filtered when they arrive. No inline script, so a strict CSP allows it.
(function () {
  "use strict";

  function filter(handlers) {
    var department = handlers.form && handlers.form.elements[handlers.dataset.departmentField];
    var chosen = department ? department.value : "";
    Array.prototype.forEach.call(handlers.options, function (option) {
      if (!option.value) {
        return; // "all handlers of the department" stays offered
      }
      var fits = chosen !== "" && (option.dataset.departments || "").split(" ").indexOf(chosen) !== -1;
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) {
        handlers.value = "";
      }
    });
  }

  function filterWithin(root) {
    if (root.matches && root.matches("select[data-department-field]")) {
      filter(root);
    }
    if (root.querySelectorAll) {
      root.querySelectorAll("select[data-department-field]").forEach(filter);
    }
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form) {
      return;
    }
    form.querySelectorAll("select[data-department-field]").forEach(function (handlers) {
      if (handlers.dataset.departmentField === event.target.name) {
        filter(handlers);
      }
    });
  });
  document.addEventListener("DOMContentLoaded", function () {
    filterWithin(document);
  });
  document.addEventListener("htmx:load", function (event) {
    filterWithin(event.target);
  });
})();
