// The shop's small behaviours: seat picking, live seat states, zoom, the hold countdown.
(function () {
  "use strict";
  function text(key, n) {
    var el = document.getElementById("i18n-picked");
    var t = el ? JSON.parse(el.textContent) : {};
    return (t[key] || "").replace("{n}", n);
  }

  function setupMap() {
    var box = document.getElementById("seatmap-box");
    if (!box) return;
    var limit = parseInt(box.dataset.limit, 10) || 10;
    var input = document.getElementById("picked-seats");
    var count = document.getElementById("picked-count");
    var names = document.getElementById("picked-names");
    var submit = document.getElementById("hold-picked");
    var tip = document.getElementById("seat-tip");
    var picked = {};    // seat ids, kept while the shopper moves between sections: each its name once seen
    // Seats of a pick the shop could not hold whole: the ones still free, ticked again; on a
    // staff map, the seats picked before it opened this section, named by the page when it can.
    var known = document.getElementById("picked-known");
    known = known ? JSON.parse(known.textContent) : {};
    (box.dataset.picked || "").split(",").forEach(function (id) { if (id) picked[id] = known[id] || true; });
    // The shop's picks, picked again from the address a language switch came back to
    // (below): the address forgets them, so that a reload later does not pick them again.
    // A staff map (which opens a section by loading the page again) keeps the seats picked
    // in its address instead, as they change: nothing is held until the clerk holds them,
    // and a reload, or the way back to the map, finds them all still picked.
    var inAddress = box.hasAttribute("data-picks-in-address");
    function address(ids) {
      if (!window.history.replaceState) return;
      var here = new URL(window.location.href);
      if (ids.length) here.searchParams.set("picked", ids.join(",")); else here.searchParams.delete("picked");
      if (here.href !== window.location.href) {
        window.history.replaceState(window.history.state, "", here.pathname + here.search + here.hash);
      }
    }
    if (!inAddress) address([]);
    // Switching language loads the page again: the section open (in the address since it
    // was opened) and the seats picked go with it, not only the page the server first sent.
    var language = document.querySelector("form.lang");
    if (language && language.elements.next && input) {
      language.addEventListener("submit", function () {
        var here = new URL(window.location.href), ids = Object.keys(picked);
        if (ids.length) here.searchParams.set("picked", ids.join(",")); else here.searchParams.delete("picked");
        language.elements.next.value = here.pathname + here.search;
      });
    }
    var taken = null;   // the last polled seat states
    var lostNote = "";  // said of chosen seats another buyer took, until the choice changes
    var scale = 1;
    var moved = 0;      // how far the pointer dragged: a drag is not a pick
    var pointers = {}, pinch = null;

    function map() { return document.getElementById("seatmap"); }
    function seats() { var m = map(); return m ? Array.prototype.slice.call(m.querySelectorAll(".seat")) : []; }
    function refresh() {
      if (!input) return;  // the light mode's map: an overview, nothing to pick
      var ids = Object.keys(picked);
      input.value = ids.join(",");
      if (inAddress) address(ids);
      // A live region: a screen reader reads out each change, so the same words are not written again.
      var said = (lostNote ? lostNote + " " : "") + (ids.length > 1 ? text("some", ids.length) : text(ids.length ? "one" : "none"));
      if (count.textContent !== said) count.textContent = said;
      // The seats picked by name ("Stalls A-3", as the basket says them), beside the count:
      // no pointer hovers over a seat on a touch screen to name it again.
      var named = ids.map(function (id) { return picked[id]; })
        .filter(function (name) { return typeof name === "string"; });
      if (names) names.textContent = named.length ? "(" + named.join(", ") + ")" : "";
      submit.disabled = ids.length === 0;
    }
    function seatName(seat) {
      var m = seat.closest("#seatmap");
      return seat.dataset.seat && m ? m.getAttribute("aria-label") + " " + seat.dataset.seat : true;
    }
    function mark(seat) {
      var on = !!picked[seat.dataset.id];
      if (picked[seat.dataset.id] === true) picked[seat.dataset.id] = seatName(seat);  // picked before it was drawn
      seat.classList.toggle("picked", on);
      seat.setAttribute("aria-checked", on ? "true" : "false");
    }
    function toggle(seat) {
      if (seat.classList.contains("taken")) return;
      var id = seat.dataset.id;
      if (!picked[id] && Object.keys(picked).length >= limit) {
        if (count) count.textContent = text("limit", limit);
        return;
      }
      if (picked[id]) delete picked[id]; else picked[id] = seatName(seat);
      lostNote = "";
      mark(seat);
      refresh();
    }
    function applyTaken() {
      if (!taken) return;
      // Seats the shopper chose that another buyer just took: dropped, and said so.
      var lost = Object.keys(picked).filter(function (id) { return taken[id]; });
      lost.forEach(function (id) { delete picked[id]; });
      seats().forEach(function (seat) {
        var isTaken = !!taken[seat.dataset.id];
        seat.classList.toggle("taken", isTaken);
        if (isTaken) seat.setAttribute("aria-disabled", "true"); else seat.removeAttribute("aria-disabled");
        mark(seat);
      });
      if (lost.length) lostNote = text(lost.length === 1 ? "lost1" : "lost", lost.length);
      refresh();
    }

    // Tooltip: the seat's own label, shown on hover and on keyboard focus. A tap names the
    // seat only for a moment: on a phone nothing takes the tooltip away, and it would stay
    // over the seats above the one tapped (the tapped seat is marked picked anyway). A focus
    // no tap brought (a keyboard, a screen reader) keeps it.
    var tipTimer = null, tappedAt = -Infinity;
    function tapping() { return Date.now() - tappedAt < 1000; }
    function showTip(seat) {
      clearTimeout(tipTimer);
      var r = seat.getBoundingClientRect();
      tip.textContent = seat.getAttribute("aria-label");
      tip.hidden = false;
      var w = tip.offsetWidth;
      var left = Math.max(4, Math.min(window.innerWidth - w - 4, r.left + r.width / 2 - w / 2));
      var top = r.top - tip.offsetHeight - 6;
      tip.style.left = left + "px";
      tip.style.top = (top < 4 ? r.bottom + 6 : top) + "px";
    }
    function hideTip() { clearTimeout(tipTimer); tip.hidden = true; }
    function flashTip(seat) { showTip(seat); tipTimer = setTimeout(hideTip, 1500); }
    // Escape hides the tooltip, which covers the seats around the one it names (WCAG's
    // content on hover or focus). On a seat, that is all this Escape does (a staff screen's
    // Esc, which cancels, is the next one); under the mouse, it goes on to the page's keys.
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || !tip || tip.hidden) return;
      hideTip();
      var seat = e.target.closest && e.target.closest(".seat");
      if (seat && box.contains(seat)) { e.preventDefault(); e.stopPropagation(); }
    }, true);

    // Keyboard: one Tab stop (roving tabindex), arrows along a row and between rows.
    function rowOf(seat) {
      return seats().filter(function (s) { return s.dataset.row === seat.dataset.row; });
    }
    function centre(el) {
      var r = el.getBoundingClientRect();
      return [r.left + r.width / 2, r.top + r.height / 2];
    }
    function focusSeat(seat) {
      if (!seat) return;
      seats().forEach(function (s) { if (s !== seat) s.setAttribute("tabindex", "-1"); });
      seat.setAttribute("tabindex", "0");
      seat.focus();
      showTip(seat);
    }
    function nearestInRow(seat, row) {
      var candidates = seats().filter(function (s) { return s.dataset.row === String(row); });
      if (!candidates.length) return null;
      var c = centre(seat);
      var best = null, bestD = Infinity;
      candidates.forEach(function (s) {
        var d = centre(s), dist = Math.pow(d[0] - c[0], 2) + Math.pow(d[1] - c[1], 2);
        if (dist < bestD) { best = s; bestD = dist; }
      });
      return best;
    }
    box.addEventListener("keydown", function (e) {
      var seat = e.target.closest && e.target.closest(".seat");
      if (!seat) return;
      var row = rowOf(seat), i = row.indexOf(seat), r = parseInt(seat.dataset.row, 10);
      var next = null;
      switch (e.key) {
        case "ArrowLeft": next = row[i - 1]; break;
        case "ArrowRight": next = row[i + 1]; break;
        case "Home": next = row[0]; break;
        case "End": next = row[row.length - 1]; break;
        case "ArrowUp": next = nearestInRow(seat, r - 1); break;
        case "ArrowDown": next = nearestInRow(seat, r + 1); break;
        case "Enter": case " ": e.preventDefault(); toggle(seat); return;
        default: return;
      }
      e.preventDefault();
      if (next) focusSeat(next);
    });
    box.addEventListener("click", function (e) {
      var seat = e.target.closest && e.target.closest(".seat");
      if (seat) {
        e.preventDefault();
        if (moved > 8) return;
        seats().forEach(function (s) { s.setAttribute("tabindex", s === seat ? "0" : "-1"); });
        toggle(seat);
        return;
      }
      var shape = e.target.closest && e.target.closest("polygon[data-section]");
      if (shape) {
        var link = box.querySelector('.section-link[data-section="' + shape.dataset.section + '"]');
        if (link) link.click();
        return;
      }
      // A section opened by loading the page again (the staff screens): the seats picked so
      // far go with it, and are picked on the new page (none: none, whatever the link was
      // drawn with).
      var section = e.target.closest && e.target.closest(".section-link");
      if (section && !section.hasAttribute("hx-get")) {
        e.preventDefault();
        var url = new URL(section.href, window.location.href), ids = Object.keys(picked);
        if (ids.length) url.searchParams.set("picked", ids.join(",")); else url.searchParams.delete("picked");
        window.location.href = url.toString();
      }
    });
    box.addEventListener("pointerover", function (e) {
      var seat = e.target.closest && e.target.closest(".seat");
      // Not the mouse a browser makes up after a tap, over the seat under the finger.
      if (seat && e.pointerType === "mouse" && !tapping()) showTip(seat);
    });
    box.addEventListener("pointerout", function (e) {
      if (e.target.closest && e.target.closest(".seat")) hideTip();
    });
    ["pointerdown", "pointerup"].forEach(function (type) {
      box.addEventListener(type, function (e) {
        if (e.pointerType === "mouse") return;
        tappedAt = Date.now();  // a touch's focus comes after its finger lifts
        hideTip();
      }, true);
    });
    box.addEventListener("focusout", hideTip);
    box.addEventListener("focusin", function (e) {
      var seat = e.target.closest && e.target.closest(".seat");
      if (seat) (tapping() ? flashTip : showTip)(seat);
    });

    // Zoom and pan: the section is drawn at a scale where a seat is a comfortable tap target;
    // wheel and pinch zoom around the pointer, a drag pans (touch and mouse alike).
    function scroller() { var m = map(); return m && m.parentNode; }
    function limits() {
      var m = map(), vb = m.viewBox.baseVal, sc = scroller();
      var base = (parseFloat(m.dataset.tap) || 26) / (parseFloat(m.dataset.pitch) || 10);
      var fit = Math.min(sc.clientWidth / vb.width, (window.innerHeight * 0.7) / vb.height);
      return { base: base, fit: fit, min: Math.min(base, fit), max: base * 4 };
    }
    function zoomTo(s, cx, cy) {
      var m = map(), sc = scroller();
      if (!m) return;
      var vb = m.viewBox.baseVal, lim = limits();
      if (cx === undefined) { cx = sc.clientWidth / 2; cy = sc.clientHeight / 2; }
      var ux = (sc.scrollLeft + cx) / scale, uy = (sc.scrollTop + cy) / scale;
      scale = Math.max(lim.min, Math.min(lim.max, s));
      m.style.width = (vb.width * scale) + "px";
      m.style.height = (vb.height * scale) + "px";
      sc.scrollLeft = ux * scale - cx;
      sc.scrollTop = uy * scale - cy;
      hideTip();
    }
    function setupSection() {
      var m = map();
      if (!m) return;
      var vb = m.viewBox.baseVal, lim = limits(), sc = scroller();
      // Never smaller than a tap target; a small section may fill the width instead.
      scale = Math.max(lim.base, Math.min(lim.fit, lim.base * 2));
      m.style.width = (vb.width * scale) + "px";
      m.style.height = (vb.height * scale) + "px";
      // The view opens on the front of the section, under its STAGE label.
      var stage = m.querySelector(".stage");
      if (stage) {
        var sr = stage.getBoundingClientRect(), mr = m.getBoundingClientRect();
        sc.scrollLeft = sr.left - mr.left + sr.width / 2 - sc.clientWidth / 2;
        sc.scrollTop = sr.top - mr.top - 8;
      }
      if (!m.querySelector('.seat[tabindex="0"]')) {
        var first = m.querySelector(".seat");
        if (first) first.setAttribute("tabindex", "0");
      }
      seats().forEach(mark);
      refresh();  // the names of seats picked before this section was drawn
      applyTaken();
      // The wheel scrolls the page; with Ctrl or Cmd held (a trackpad's pinch sends that)
      // it zooms the map, as maps on the web do.
      sc.addEventListener("wheel", function (e) {
        if (!e.ctrlKey && !e.metaKey) return;
        e.preventDefault();
        var r = sc.getBoundingClientRect();
        zoomTo(scale * (e.deltaY < 0 ? 1.2 : 1 / 1.2), e.clientX - r.left, e.clientY - r.top);
      }, { passive: false });
      sc.addEventListener("pointerdown", function (e) {
        pointers[e.pointerId] = [e.clientX, e.clientY];
        if (Object.keys(pointers).length === 1) moved = 0;
      });
    }
    function distance() {
      var p = Object.keys(pointers).map(function (k) { return pointers[k]; });
      return [Math.hypot(p[0][0] - p[1][0], p[0][1] - p[1][1]), (p[0][0] + p[1][0]) / 2, (p[0][1] + p[1][1]) / 2];
    }
    window.addEventListener("pointermove", function (e) {
      var last = pointers[e.pointerId];
      if (!last) return;
      var count = Object.keys(pointers).length;
      if (count === 2) {
        var before = pinch || distance();
        pointers[e.pointerId] = [e.clientX, e.clientY];
        var sc = scroller(), after = distance(), r = sc.getBoundingClientRect();
        if (before[0] > 0) zoomTo(scale * after[0] / before[0], after[1] - r.left, after[2] - r.top);
        pinch = after;
        moved += 10;
        return;
      }
      var sc2 = scroller();
      var dx = e.clientX - last[0], dy = e.clientY - last[1];
      pointers[e.pointerId] = [e.clientX, e.clientY];
      moved += Math.abs(dx) + Math.abs(dy);
      if (moved > 8 && sc2) { sc2.scrollLeft -= dx; sc2.scrollTop -= dy; hideTip(); }
    });
    function up(e) { delete pointers[e.pointerId]; pinch = null; }
    window.addEventListener("pointerup", up);
    window.addEventListener("pointercancel", up);
    box.addEventListener("click", function (e) {
      var b = e.target.closest && e.target.closest("[data-zoom]");
      if (b) zoomTo(scale * (parseInt(b.dataset.zoom, 10) > 0 ? 1.5 : 1 / 1.5));
    });

    // Seat states polled by htmx: seats sold elsewhere turn taken without a reload.
    document.body.addEventListener("htmx:afterSwap", function (e) {
      var states = document.getElementById("seat-states");
      if (states && e.detail.target.contains(states)) {
        taken = {};
        (states.dataset.taken || "").split(",").forEach(function (id) { if (id) taken[id] = true; });
        applyTaken();
      }
    });
    // A section is set up once settled: htmx's settle step copies the attributes of the
    // section drawn before (same ids) onto the new one, which would undo its size.
    document.body.addEventListener("htmx:afterSettle", function (e) {
      if (e.detail.target.id === "seat-section") {
        setupSection();
        // Opened by the shopper (not on page load): bring the section into view and say
        // which one it is, by moving the focus to its heading.
        var from = e.detail.requestConfig && e.detail.requestConfig.elt;
        var heading = document.getElementById("section-h");
        if (heading && from && from.classList && from.classList.contains("section-link")) {
          heading.setAttribute("tabindex", "-1");
          heading.focus({ preventScroll: true });
          heading.scrollIntoView({ block: "start" });
        }
        var m = map();
        box.querySelectorAll(".section-link").forEach(function (a) {
          if (m && a.dataset.section === m.dataset.section) a.setAttribute("aria-current", "true");
          else a.removeAttribute("aria-current");
        });
        box.querySelectorAll("polygon[data-section]").forEach(function (p) {
          p.classList.toggle("open", !!m && p.dataset.section === m.dataset.section);
        });
      }
    });
    setupSection();
    refresh();
  }

  function setupCountdown() {
    var box = document.getElementById("countdown");
    if (!box) return;
    // A page with a hold's countdown shown again from the browser's memory (Back after
    // paying) says what was true then: ask the server what is true now.
    window.addEventListener("pageshow", function (e) { if (e.persisted) window.location.reload(); });
    // The time left is reckoned from the deadline, not counted down tick by tick: a phone
    // stops the page's timers while the buyer is in another app or the screen is off.
    var deadline = Date.now() + 1000 * parseInt(box.dataset.seconds, 10);
    var left = 0;
    var clock = box.querySelector(".clock");
    // The same time in words, for a screen reader ("9:05" reads as a time of day): the
    // timer is not a live region, so it is read when the user goes to it, not every second.
    var words = box.querySelector(".clock-words");
    var forms = words ? JSON.parse(words.dataset.forms) : null;
    var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "en") : null;
    function say(n, unit) {
      var one = plural ? plural.select(n) === "one" : n === 1;
      return forms[unit][one ? 0 : 1].replace("{n}", n);
    }
    var warning = document.getElementById("hold-warning");
    var lapsed = false, timer = null;
    function show() {
      var m = Math.floor(left / 60), s = left % 60;
      clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      if (words) {  // as the server writes it (time_left_words): "9 minutes 5 seconds", "9 minutes", "5 seconds"
        var said = m ? [say(m, "minute")] : [];
        if (s || !m) said.push(say(s, "second"));
        words.textContent = said.join(" ");
      }
    }
    // One message when the hold lapses, whether the clock or the server notices first; the
    // form keeps what was typed (and the browser keeps it for the next basket).
    function lapse() {
      if (lapsed) return;
      lapsed = true;
      if (timer) clearInterval(timer);
      left = 0;
      show();
      if (warning) warning.hidden = true;
      // The checkout goes (its Pay button, its promo code: nothing left to pay for), and the
      // notice comes into view where a buyer typing at the bottom of the form was.
      var checkout = document.getElementById("checkout");
      var release = document.getElementById("release-form");  // nothing is held any more
      // Focus in what goes away would fall back to the top of the page: it goes to the
      // message instead, which says why the form went.
      var focused = document.activeElement;
      var lost = [checkout, release].some(function (box) { return box && box.contains(focused); })
        || (focused && focused.matches && focused.matches("[data-needs-hold]"));
      if (checkout) checkout.hidden = true;
      var msg = document.getElementById("expired-msg");
      if (msg) {
        msg.hidden = false;
        msg.scrollIntoView({ block: "center" });
        if (lost) msg.focus({ preventScroll: true });
      }
      var places = document.getElementById("basket-places");
      if (places) places.hidden = true;
      var receipt = document.getElementById("receipt");  // the places and their total: no longer held
      if (receipt) receipt.hidden = true;
      var pay = document.getElementById("pay");
      if (pay) pay.disabled = true;
      // The staff's buttons that sell, reserve, extend or release the held seats: nothing is
      // held any more. Each is described by the message that says why it is disabled.
      document.querySelectorAll("[data-needs-hold]").forEach(function (b) {
        b.disabled = true;
        if (msg) b.setAttribute("aria-describedby", msg.id);
      });
      if (release) release.hidden = true;
    }
    function tick() {
      left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      if (left <= 0) { lapse(); return; }
      if (left <= 60 && warning && warning.hidden) warning.hidden = false;
      show();
    }
    tick();
    timer = setInterval(tick, 1000);
    // More time, asked from the warning (basket_extend): the clock starts again from what the
    // server gave, the words are said in a status region, and the focus goes back to where
    // the buyer was before they went to the button (the warning, and the button, go away).
    var before = null;
    document.addEventListener("focusin", function (e) {
      if (!warning || !warning.contains(e.target)) before = e.target;
    });
    document.body.addEventListener("hold-extended", function (e) {
      var d = e.detail || {};
      if (lapsed) return;
      var said = document.getElementById("hold-said");
      if (said) {
        var p = document.createElement("p");
        p.className = "msg " + (d.extended ? "msg-success" : "msg-error");
        p.textContent = d.said || "";
        said.replaceChildren(p);
      }
      var more = document.getElementById("more-time");
      var back = before && document.contains(before) && !before.disabled ? before : document.getElementById("pay");
      if (more && !d.more) more.remove();
      if (d.extended) {
        deadline = Date.now() + 1000 * (parseInt(d.seconds, 10) || left);
        if (warning) warning.hidden = true;
        tick();
      }
      if (back && (!warning || !warning.contains(back))) back.focus();
    });
    document.body.addEventListener("htmx:afterSwap", function () {
      var status = document.getElementById("hold-status");
      if (status && status.dataset.lapsed) lapse();
    });
  }

  // What the buyer types (never the card) is kept in this tab, to fill in the next basket
  // after a lapse: until a hold after this one would have lapsed too (the form's
  // data-kept-for, in seconds), and forgotten once an order is placed (its page), so that
  // the next person at a shared computer is not offered it.
  var KEPT = ["name", "email", "phone"];
  function keepDetails() {
    if (!window.sessionStorage) return;
    if (document.querySelector("[data-order-placed]")) { sessionStorage.removeItem("checkout-details"); return; }
    var form = document.querySelector("#checkout form");
    if (!form) return;
    var until = Date.now() + 1000 * (parseInt(form.dataset.keptFor, 10) || 0);
    var kept = {};
    try { kept = JSON.parse(sessionStorage.getItem("checkout-details") || "{}"); } catch (e) { kept = {}; }
    if (!(kept.until > Date.now())) { kept = {}; sessionStorage.removeItem("checkout-details"); }
    KEPT.forEach(function (name) {
      var field = form.elements[name];
      if (field && !field.value && kept[name]) field.value = kept[name];
    });
    form.addEventListener("input", function () {
      var now = {until: until};
      KEPT.forEach(function (name) { if (form.elements[name]) now[name] = form.elements[name].value; });
      sessionStorage.setItem("checkout-details", JSON.stringify(now));
    });
  }

  // The promo code field says whether it is in error, as its error under it comes and goes.
  function markCode() {
    var code = document.getElementById("id_promo_code");
    if (code) code.setAttribute("aria-invalid", document.getElementById("id_promo_code_error") ? "true" : "false");
    return code;
  }

  // An error message is where the focus goes, so that it is read out and seen first; but
  // when the only error is the promo code's, the focus goes to that field, its error under
  // it and read with it (aria-describedby), rather than to the summary at the page's top,
  // far from it on a phone.
  function focusErrors() {
    var summary = document.getElementById("error-summary") || document.querySelector(".messages .msg-error");
    var code = markCode();
    if (!summary) return;
    var items = summary.querySelectorAll("li"), link = summary.querySelector("li > a[href]");
    if (code && items.length === 1 && link && link.getAttribute("href") === "#" + code.id) {
      code.focus();
      return;
    }
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
  }

  // The basket's prices: Enter in the promo code applies it (it does not pay), and a
  // receipt that comes back with errors brings the focus to them.
  function setupPrices() {
    var form = document.getElementById("checkout-form");
    if (!form) return;
    form.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && e.target.name === "promo_code") {
        e.preventDefault();
        document.getElementById("apply-code").click();
      }
    });
    document.body.addEventListener("htmx:afterSettle", function (e) {
      var from = e.detail.requestConfig && e.detail.requestConfig.elt;
      if (!from || !from.closest || !from.closest("#prices")) return;
      if (document.getElementById("error-summary")) focusErrors(); else markCode();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupMap(); setupCountdown(); keepDetails(); setupPrices(); focusErrors();
  });
})();
