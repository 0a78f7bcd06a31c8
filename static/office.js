// The organizer's dashboards: a table wider than its place scrolls inside its own box
// (.table-box), a stop of the keyboard's named after the table (data-name; scrollbox.js).
(function () {
  "use strict";
  function scrollingTables() {
    window.scrollStops(".table-box", function (box) { box.setAttribute("aria-label", box.dataset.name || ""); });
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
      // On a timer: no use of the session (boxoffice.signin.POLL_HEADER).
      fetch(live.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json", "X-Poll": "1"}})
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
  // Sales on a single day: the tickets sold so far are that day's bar again, left out, and
  // the day's net takings is a point of its own. The lines are drawn over the bars (a lower
  // order is drawn above), and the axes leave room above their highest value: a point at
  // the top is neither hidden under a bar nor cut in half.
  var oneDay = d.labels.length === 1, datasets = [
    {type: "bar", label: d.names.tickets, data: d.tickets, backgroundColor: "#93c5fd", yAxisID: "tickets",
     maxBarThickness: 48, order: 1}];
  if (!oneDay) {
    datasets.push({type: "line", label: d.names.so_far, data: d.so_far, borderColor: "#1d4ed8",
                   pointBackgroundColor: "#1d4ed8", yAxisID: "tickets", tension: 0.2, pointRadius: 4});
  }
  // Tickets are whole: no 4.5 on their axis. The takings only to whoever may read the
  // payments: the page leaves them out otherwise, and the money axis with them.
  var scales = {tickets: {type: "linear", position: "left", beginAtZero: true, grace: "10%", ticks: {precision: 0}}};
  if (d.taken) {
    datasets.push({type: "line", label: d.names.taken, data: d.taken.map(Number), borderColor: "#15803d",
                   pointBackgroundColor: "#15803d", yAxisID: "money", borderDash: [6, 4], tension: 0.2,
                   pointRadius: oneDay ? 6 : 4});
    scales.money = {type: "linear", position: "right", beginAtZero: true, grace: "10%",
                    grid: {drawOnChartArea: false}};
  }
  canvas.chart = new window.Chart(canvas, {
    data: {labels: d.labels, datasets: datasets},
    options: {
      maintainAspectRatio: false, animation: false,
      interaction: {mode: "index", intersect: false},
      // The legend in the datasets' order (the bars first), not in their drawing order.
      plugins: {legend: {labels: {sort: function (a, b) { return a.datasetIndex - b.datasetIndex; }}}},
      scales: scales
    }
  });
})();
