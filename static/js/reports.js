/* Report charts (SPEC §11): Chart.js from static/, data from the page's json_script. */
(function () {
  "use strict";
  var node = document.getElementById("chart-data");
  var canvas = document.getElementById("report-chart");
  if (!node || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  if (!data.labels || !data.labels.length) { return; }
  var palette = ["#0d6efd", "#6c757d", "#198754", "#fd7e14", "#6f42c1", "#20c997"];
  data.datasets.forEach(function (d, i) { d.backgroundColor = palette[i % palette.length]; });
  window.reportChart = new Chart(canvas, {
    type: data.type || "bar",
    data: {labels: data.labels, datasets: data.datasets},
    options: {responsive: true, maintainAspectRatio: false, animation: false,
              plugins: {legend: {position: "bottom"}}}
  });
})();
