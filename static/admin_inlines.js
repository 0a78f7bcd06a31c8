// The admin's tables of rows inside a form (a performance's price types, the organizer's
// taxes): one wider than the page scrolls inside its own box (base_site.html), a stop of the
// keyboard's named after its heading (scrollbox.js), and the page stays where it is.
(function () {
  "use strict";
  var BOXES = ".inline-group div.tabular";
  function scrollingRows() {
    window.scrollStops(BOXES, function (box) {
      var heading = box.querySelector("h2");
      box.setAttribute("aria-label", heading ? heading.textContent.trim() : "");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    scrollingRows();
    // Its width changes with the window's, the admin's sidebar, and the rows added.
    if (window.ResizeObserver) {
      var watch = new ResizeObserver(scrollingRows);
      document.querySelectorAll(BOXES).forEach(function (box) {
        watch.observe(box);
        var table = box.querySelector("table");
        if (table) watch.observe(table);
      });
    } else {
      window.addEventListener("resize", scrollingRows);
    }
  });
})();
