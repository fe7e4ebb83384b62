// Starts Redoc on /api/redoc/ (templates/api_docs/redoc.html): the schema URL and the settings come
// from the page as data; no inline script (Content-Security-Policy).
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  var settings = JSON.parse(document.getElementById("redoc-settings").textContent);
  Redoc.init(container.dataset.schemaUrl, settings, container);
})();
