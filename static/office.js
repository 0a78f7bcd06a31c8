// The organizer's dashboards: a table wider than its place scrolls inside its own box
// (.table-box): that box is then a stop of the keyboard's, named after the table
// (data-name), so that the arrow keys scroll it. One that fits is no stop of its own (the
// marks set here are taken off again).
(function () {
  "use strict";
  function scrollingTables() {
    document.querySelectorAll(".table-box").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", box.dataset.name || "");
        box.dataset.scrolls = "1";
      } else if (!scrolls && box.dataset.scrolls) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scrolls;
      }
    });
  }
  scrollingTables();
  // Its width changes with the window's and with the admin's sidebar opened or closed.
  if (window.ResizeObserver) {
    var watch = new ResizeObserver(scrollingTables);
    document.querySelectorAll(".table-box").forEach(function (box) { watch.observe(box); });
  } else {
    window.addEventListener("resize", scrollingTables);
  }
})();
// The performance dashboard's chart: tickets sold per day (bars), sold so far (line) and
// net takings per day (line, right axis), drawn by the vendored Chart.js.
(function () {
  "use strict";
  // The figures of the moment (queue, let in, sold in the last minute), every 10 seconds.
  var live = document.getElementById("live");
  if (live && window.fetch) {
    setInterval(function () {
      if (document.hidden) return;
      fetch(live.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (figures) {
          if (!figures) return;
          Object.keys(figures).forEach(function (name) {
            var cell = document.getElementById("live-" + name);
            // Grouped as the page writes its counts (the |number filter, data-group's mark).
            if (cell) cell.textContent = String(figures[name]).replace(/\B(?=(\d{3})+(?!\d))/g, live.dataset.group || "");
          });
        }, function () {});
    }, 10000);
  }
})();
(function () {
  "use strict";
  var data = document.getElementById("sales-chart-data"), canvas = document.getElementById("sales-chart");
  if (!data || !canvas || !window.Chart) return;
  var d = JSON.parse(data.textContent);
  canvas.chart = new window.Chart(canvas, {
    data: {
      labels: d.labels,
      datasets: [
        {type: "bar", label: d.names.tickets, data: d.tickets, backgroundColor: "#93c5fd", yAxisID: "tickets",
         maxBarThickness: 48},
        {type: "line", label: d.names.so_far, data: d.so_far, borderColor: "#1d4ed8", yAxisID: "tickets", tension: 0.2,
         pointRadius: 4},
        {type: "line", label: d.names.taken, data: d.taken.map(Number), borderColor: "#15803d", yAxisID: "money",
         borderDash: [6, 4], tension: 0.2, pointRadius: 4}
      ]
    },
    options: {
      maintainAspectRatio: false, animation: false,
      interaction: {mode: "index", intersect: false},
      // Tickets are whole: no 4.5 on their axis.
      scales: {tickets: {type: "linear", position: "left", beginAtZero: true, ticks: {precision: 0}},
               money: {type: "linear", position: "right", beginAtZero: true, grid: {drawOnChartArea: false}}}
    }
  });
})();
