// A box whose content is wider than it scrolls by itself: while it does, it is a stop of the
// keyboard's, a named region, so that the arrow keys scroll it. One that fits is no stop of
// its own (the marks set here are taken off again). Used by the organizer's dashboards
// (office.js) and the staff consoles (staff.js).
window.scrollStops = function (selector, name) {
  "use strict";
  document.querySelectorAll(selector).forEach(function (box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      name(box);
      box.dataset.scrolls = "1";
    } else if (!scrolls && box.dataset.scrolls) {
      ["tabindex", "role", "aria-label", "aria-labelledby"].forEach(function (a) { box.removeAttribute(a); });
      delete box.dataset.scrolls;
    }
  });
};
