// 数据导入 pages (no inline script: the Content-Security-Policy forbids it).
//   <input type="file" data-import-file>   shows #import-file-hint when the chosen file is not .xlsx
//   <form data-import-confirm>              the confirm button is disabled once the form is sent
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-import-file]")) {
      return;
    }
    var hint = document.getElementById("import-file-hint");
    var name = input.files && input.files.length ? input.files[0].name.toLowerCase() : "";
    if (hint) {
      hint.classList.toggle("d-none", !name || /\.xlsx$/.test(name));
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!event.defaultPrevented && form.hasAttribute && form.hasAttribute("data-import-confirm")) {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    }
  });
})();
