// Starts Redoc on /api/redoc/ (templates/api_docs/redoc.html): the schema URL and the settings come
// from the page as data; no inline script (Content-Security-Policy).
(function () {
  "use strict";
  // Redoc's sidebar footer ("API docs by Redocly") gives its logo a source on cdn.redoc.ly whatever
  // the options. The page asks nothing from outside this site: an image source on another origin is
  // never set (React sets it as a property, and may as an attribute), and api-docs.css hides the
  // footer link.
  function elsewhere(value) {
    var url = new URL(String(value), document.baseURI);
    return url.origin !== window.location.origin && url.protocol !== "data:" && url.protocol !== "blob:";
  }
  var source = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: source.enumerable,
    get: source.get,
    set: function (value) {
      if (!elsewhere(value)) {
        source.set.call(this, value);
      }
    },
  });
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === "src" && elsewhere(value)) {
      return undefined;
    }
    return setAttribute.call(this, name, value);
  };

  var container = document.getElementById("redoc-container");
  var settings = JSON.parse(document.getElementById("redoc-settings").textContent);
  Redoc.init(container.dataset.schemaUrl, settings, container);
})();
