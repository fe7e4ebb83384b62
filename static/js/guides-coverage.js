// 企业走访覆盖率: bar charts of the coverage per zone and per alliance (templates/guides/staff/coverage.html).
// The figures come from the page's <script type="application/json" id="coverage-data"> (json_script);
// each chart is a <div data-coverage-chart="zones|alliances">. No inline script: the CSP allows none.
(function () {
  "use strict";

  function draw(element, series, label) {
    if (!series || !series.names.length || !window.echarts) {
      element.hidden = true;
      return;
    }
    var chart = window.echarts.init(element);
    chart.setOption({
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: function (value) { return value + "%"; } },
      xAxis: { type: "category", data: series.names, axisLabel: { interval: 0, rotate: series.names.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", min: 0, max: 100, name: label },
      series: [{ type: "bar", data: series.rates, itemStyle: { color: "#b71c1c" }, label: { show: true, position: "top", formatter: "{c}%" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init() {
    var source = document.getElementById("coverage-data");
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-coverage-chart]").forEach(function (element) {
      draw(element, data[element.getAttribute("data-coverage-chart")], data.label);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
