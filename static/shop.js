// The shop's small behaviours: seat picking, live seat states, zoom, the hold countdown.
(function () {
  "use strict";
  function text(key, n) {
    var el = document.getElementById("i18n-picked");
    var t = el ? JSON.parse(el.textContent) : {};
    return (t[key] || "").replace("{n}", n);
  }

  function setupMap() {
    var map = document.getElementById("seatmap");
    if (!map) return;
    var limit = parseInt(map.dataset.limit, 10) || 10;
    var input = document.getElementById("picked-seats");
    var count = document.getElementById("picked-count");
    var submit = document.getElementById("hold-picked");

    function refresh() {
      var picked = map.querySelectorAll(".seat.picked");
      input.value = Array.prototype.map.call(picked, function (s) { return s.dataset.id; }).join(",");
      count.textContent = picked.length ? text("some", picked.length) : text("none");
      submit.disabled = picked.length === 0;
    }
    function toggle(seat) {
      if (seat.classList.contains("taken")) return;
      if (!seat.classList.contains("picked") && map.querySelectorAll(".seat.picked").length >= limit) {
        count.textContent = text("limit", limit);
        return;
      }
      seat.classList.toggle("picked");
      seat.setAttribute("aria-checked", seat.classList.contains("picked") ? "true" : "false");
      refresh();
    }
    map.addEventListener("click", function (e) {
      var seat = e.target.closest(".seat");
      if (seat) { e.preventDefault(); toggle(seat); }
    });
    map.addEventListener("keydown", function (e) {
      var seat = e.target.closest(".seat");
      if (seat && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); toggle(seat); }
    });
    // Seat states polled by htmx: seats sold elsewhere disappear without a reload.
    document.body.addEventListener("htmx:afterSwap", function (e) {
      var states = document.getElementById("seat-states");
      if (!states || !e.detail.target.contains(states)) return;
      var taken = {};
      (states.dataset.taken || "").split(",").forEach(function (id) { if (id) taken[id] = true; });
      map.querySelectorAll(".seat").forEach(function (seat) {
        var isTaken = !!taken[seat.dataset.id];
        if (isTaken && !seat.classList.contains("taken")) {
          seat.classList.remove("picked");
          seat.setAttribute("aria-checked", "false");
        }
        seat.classList.toggle("taken", isTaken);
        if (isTaken) { seat.setAttribute("aria-disabled", "true"); seat.setAttribute("tabindex", "-1"); }
        else { seat.removeAttribute("aria-disabled"); seat.setAttribute("tabindex", "0"); }
      });
      refresh();
    });
    var zoom = 1;
    document.querySelectorAll("[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        zoom = Math.min(4, Math.max(1, zoom + (parseInt(b.dataset.zoom, 10) > 0 ? 0.5 : -0.5)));
        map.style.width = (zoom * 100) + "%";
      });
    });
    refresh();
  }

  function setupCountdown() {
    var box = document.getElementById("countdown");
    if (!box) return;
    var left = parseInt(box.dataset.seconds, 10);
    var clock = box.querySelector(".clock");
    function show() {
      var m = Math.floor(left / 60), s = left % 60;
      clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    }
    show();
    var timer = setInterval(function () {
      left -= 1;
      if (left <= 0) {
        clearInterval(timer);
        left = 0;
        show();
        var msg = document.getElementById("expired-msg");
        if (msg) msg.hidden = false;
        var checkout = document.getElementById("checkout");
        if (checkout) checkout.hidden = true;
        var places = document.getElementById("basket-places");
        if (places) places.hidden = true;
        return;
      }
      show();
    }, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () { setupMap(); setupCountdown(); });
})();
