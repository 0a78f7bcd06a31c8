// The door's scanning page. Each scan is posted to the check-in service and its answer
// shown big (green: admitted, red: refused). A scan that cannot be sent (no network, the
// server away) is kept in this device's localStorage with the time it was made and its
// own id, and sent in order when the network is back: the first scan the server records
// wins, and a resend of a scan it already recorded is answered as the first time.
(function () {
  "use strict";
  var root = document.getElementById("door");
  if (!root) return;
  // The page kept on this device (templates/door/service_worker.js), opened in a browser
  // closed since it was: the staff session's cookie went with the browser, and so did this
  // one, set with the page. Nobody is signed in here: the page scans nothing, says so, and
  // is no longer kept.
  if (root.dataset.browserOpen && document.cookie.split("; ").indexOf(root.dataset.browserOpen + "=1") < 0) {
    var closed = document.createElement("p"), signIn = document.createElement("a");
    closed.className = "door-not-today";
    closed.setAttribute("role", "alert");
    closed.textContent = root.dataset.closed + " ";
    signIn.href = location.pathname;  // online, the server asks to sign in and comes back here
    signIn.textContent = root.dataset.signIn;
    closed.appendChild(signIn);
    root.replaceChildren(closed);
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({forget: true});
    }
    return;
  }
  var QUEUE = "boxoffice-door-queue", DOOR = "boxoffice-door-name";
  var scanUrl = root.dataset.scanUrl, attendanceUrl = root.dataset.attendanceUrl;
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  var answer = document.getElementById("answer"), queueNote = document.getElementById("queue");
  var late = document.getElementById("late"), doorName = document.getElementById("door-name");
  var codeInput = document.getElementById("code");
  var lastCode = null, lastAt = 0, flushing = false, latest = null;

  function store() { try { return window.localStorage; } catch (e) { return null; } }
  function load() {
    var s = store();
    try { return JSON.parse((s && s.getItem(QUEUE)) || "[]"); } catch (e) { return []; }
  }
  function save(queue) {
    var s = store();
    if (s) s.setItem(QUEUE, JSON.stringify(queue));
    showQueue(queue);
  }
  function showQueue(queue) {
    queueNote.hidden = queue.length === 0;
    queueNote.textContent = root.dataset.waiting + " " + queue.length;
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  if (doorName) {
    var keepDoor = function () { if (store()) store().setItem(DOOR, doorName.value.trim()); };
    // A name typed before this script ran (a slow page) is kept, and kept for next time.
    if (doorName.value.trim()) keepDoor();
    else doorName.value = (store() && store().getItem(DOOR)) || "";
    doorName.addEventListener("change", keepDoor);
    // Staff type the door's name, then scan the first ticket with the focus still there: the
    // scanner's code and its Enter land after the name. The code is scanned and the name
    // kept as typed (not with a ticket's code glued to it, shown to every other door). Enter
    // alone ends the name and goes to the code field, for the first scan.
    doorName.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") return;
      e.preventDefault();
      var typed = /^([\s\S]*?)([A-Za-z0-9_-]{32})$/.exec(doorName.value.trim());
      if (typed) doorName.value = typed[1].trim();
      keepDoor();
      if (codeInput) codeInput.focus({preventScroll: true});
      if (typed) scan(typed[2]);
    });
  }

  // A count as the page writes it (the |number filter): grouped by threes with the
  // page's mark ("," in English, a narrow no-break space in French).
  function grouped(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, root.dataset.group || ""); }
  function setCounts(counts) {
    if (!counts) return;
    document.getElementById("scanned").textContent = grouped(counts.scanned);
    document.getElementById("sold").textContent = grouped(counts.sold);
  }

  // An answer stays big for a few seconds, then the box is ready for the next guest and
  // says what the last scan was in small: a guest arriving later never reads another's red.
  var ANSWER_SECONDS = 8, settle = null;
  function show(kind, verdict, detail, next) {
    if (settle) clearTimeout(settle);
    settle = null;
    if (kind === "door-ok" || kind === "door-no") {
      settle = setTimeout(function () {
        show("", root.dataset.ready, root.dataset.last + " " + verdict + " — " + detail);
      }, ANSWER_SECONDS * 1000);
    }
    // The answer is read out as it comes; the box settling to "Ready" is not read again,
    // over the next guest's answer.
    answer.setAttribute("aria-live", kind ? "assertive" : "off");
    answer.className = "door-answer " + kind;
    answer.innerHTML = "";
    var v = document.createElement("p"); v.className = "door-verdict"; v.textContent = verdict;
    var d = document.createElement("p"); d.className = "door-detail"; d.textContent = detail;
    answer.appendChild(v); answer.appendChild(d);
    if (next) {  // what to do with a guest refused with nothing to let in, on its own line
      var n = document.createElement("p"); n.className = "door-next"; n.textContent = next;
      answer.appendChild(n);
    }
  }
  function detailOf(body) {
    if (!body.admitted) return body.message.charAt(0).toUpperCase() + body.message.slice(1);  // a sentence
    return [body.place, body.zone + (body.price_type ? " (" + body.price_type + ")" : ""), body.name, body.note]
      .filter(Boolean).join(" · ");
  }
  function showAnswer(body) {
    var refused = answer.dataset.refused || "Refused";
    show(body.admitted ? "door-ok" : "door-no", body.admitted ? body.message : refused, detailOf(body),
         body.admitted ? "" : body.next);
    setCounts(body.counts);
    // Felt as well as seen, where the device can: one short buzz for in, two long for refused.
    if (navigator.vibrate) navigator.vibrate(body.admitted ? 80 : [200, 100, 200]);
    // Guests found by name show who is in now.
    var search = document.getElementById("search-form");
    if (window.htmx && search && document.querySelector("#found li")) window.htmx.trigger(search, "submit");
  }

  function Offline(signedOut) { this.signedOut = signedOut; }

  // Resolves with the server's answer; rejects with Offline when there is none to read.
  function post(item, queued) {
    var body = new URLSearchParams({code: item.code, door: item.door, scan: item.scan});
    if (queued) body.set("scanned_at", item.scanned_at);
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, 8000);
    return fetch(item.url, {method: "POST", body: body, credentials: "same-origin", signal: controller && controller.signal,
                            headers: {"Accept": "application/json", "X-CSRFToken": csrf}})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.status >= 500 || type.indexOf("application/json") < 0) {
          throw new Offline(type.indexOf("text/html") >= 0 && response.status < 500);
        }
        return response.json().then(function (body) {
          // Signed out, or the page's token gone stale: kept, and sent once signed in again.
          if (body.error && (response.status === 401 || response.status === 403)) throw new Offline(true);
          // Any other refusal of the request itself (a code holding a NUL, say) is this scan's
          // answer: it is not kept to block the scans made after it.
          return body.error ? {admitted: false, message: body.error.message} : body;
        });
      }, function () { throw new Offline(false); })
      .finally(function () { if (timer) clearTimeout(timer); });
  }

  function keep(item, error) {
    var queue = load();
    queue.push(item);
    save(queue);
    show("door-wait", root.dataset.kept, error && error.signedOut ? root.dataset.signedOut : root.dataset.offline);
  }

  function scan(code, camera) {
    code = (code || "").trim();
    if (!code) return;
    var now = Date.now();
    if (camera && code === lastCode && now - lastAt < 2500) return;  // the camera reads one ticket many times
    lastCode = code; lastAt = now;
    var item = {url: scanUrl, code: code, door: doorName ? doorName.value.trim() : "", scan: newId(),
                scanned_at: new Date().toISOString()};
    if (load().length) { keep(item); flush(); return; }  // scans are sent in the order they were made
    // Until the server answers, the box says this scan is being checked: the last guest's
    // green answer must not stay up over the next guest while a slow answer is on its way.
    show("door-pending", root.dataset.checking, code.slice(0, 8) + "…");
    latest = item.scan;
    post(item, false).then(function (body) {
      // Overtaken by a later scan, whose guest the box is about now: this answer goes to the
      // list below, red if refused, not over the later guest's.
      if (item.scan === latest) showAnswer(body);
      else { logLate(item, body, root.dataset.overtaken); setCounts(body.counts); }
    }, function (error) {
      if (error instanceof Offline) keep(item, error); else throw error;
    });
  }

  // A moment as the server writes a scan's ("already checked in at 19:42:05"; in French,
  // as French typography writes the clock, "19 h 42 min 05 s": events.models.when) on the
  // venue's clock (data-time-zone), whatever this device's is set to.
  function venueTime(iso) {
    var at = new Date(iso), parts, t = {};
    try {
      parts = new Intl.DateTimeFormat("en-GB", {hour: "2-digit", minute: "2-digit", second: "2-digit",
                                                hourCycle: "h23", timeZone: root.dataset.timeZone}).formatToParts(at);
    } catch (e) {
      return at.toLocaleTimeString();  // a zone this browser does not know: its own clock
    }
    parts.forEach(function (part) { t[part.type] = part.value; });
    if (/^fr\b/.test(document.documentElement.lang)) {
      return Number(t.hour) + "\u00a0h\u00a0" + t.minute + "\u00a0min\u00a0" + t.second + "\u00a0s";
    }
    return t.hour + ":" + t.minute + ":" + t.second;
  }

  function logLate(item, body, said) {
    late.hidden = false;
    var li = document.createElement("li");
    if (!body.admitted) li.className = "no";
    li.textContent = (said || root.dataset.sentLate) + " " + venueTime(item.scanned_at) + " · " +
      item.code.slice(0, 8) + "… · " + body.message;
    late.insertBefore(li, late.firstChild);
  }

  function flush() {
    if (flushing) return;
    var queue = load();
    if (!queue.length) return;
    flushing = true;
    var item = queue[0];
    post(item, true).then(function (body) {
      save(load().filter(function (q) { return q.scan !== item.scan; }));
      logLate(item, body);
      // The big answer still says the network was down: it now says what the server did.
      if (answer.classList.contains("door-wait")) showAnswer(body); else setCounts(body.counts);
      flushing = false;
      flush();
    }, function () { flushing = false; });
  }

  function poll() {
    if (document.hidden) return;
    // On a timer, not a scan: no use of the session (boxoffice.signin.POLL_HEADER).
    fetch(attendanceUrl, {credentials: "same-origin", headers: {"Accept": "application/json", "X-Poll": "1"}})
      .then(function (r) { return r.ok ? r.json() : null; }).then(setCounts, function () {});
  }

  document.getElementById("code-form").addEventListener("submit", function (e) {
    e.preventDefault();
    scan(codeInput.value);
    codeInput.value = "";
    codeInput.focus();
  });
  // A USB scanner types into whichever field has the focus: a ticket's code (32 characters
  // of its alphabet) ending what is in the guest search when Enter comes is scanned, not
  // searched for (that would find nobody, under the last guest's answer); the search keeps
  // what was typed before it, and the focus goes back to the code field.
  var searchForm = document.getElementById("search-form"), searchBox = document.getElementById("q");
  if (searchForm && searchBox) {
    searchForm.addEventListener("submit", function (e) {
      var typed = /^([\s\S]*?)([A-Za-z0-9_-]{32})$/.exec(searchBox.value.trim());
      if (!typed) return;
      e.preventDefault();
      e.stopImmediatePropagation();  // before htmx's own listener asks for the search
      searchBox.value = typed[1].trim();
      scan(typed[2]);
      if (codeInput) codeInput.focus({preventScroll: true});
    }, true);
  }
  // With no field focused (a button after Tab, nothing after a click with the mouse), a
  // scanner's code would be lost and its Enter would press the focused button or link: a
  // code's characters go to the code field, so its Enter scans it. Fields keep what is
  // typed into them (the door's name and the search have their own rules above).
  var CHOICES = ["button", "submit", "reset", "checkbox", "radio", "image", "file", "color", "range"];
  function typingIn(el) {
    if (!el) return false;
    if (el.tagName === "INPUT") return CHOICES.indexOf(el.type) < 0;
    return el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable;
  }
  document.addEventListener("keydown", function (e) {
    if (!codeInput || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (e.key.length !== 1 || !/[A-Za-z0-9_-]/.test(e.key) || typingIn(document.activeElement)) return;
    e.preventDefault();  // before the page's one-key shortcuts (staff.js) read it
    codeInput.focus({preventScroll: true});
    codeInput.value += e.key;
  }, true);

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest(".door-admit button[data-code]");
    if (!button) return;
    e.preventDefault();
    scan(button.dataset.code);
    window.scrollTo({top: 0, behavior: "smooth"});
    // Pressed from the keyboard (not tapped: that would open a phone's keyboard), the button
    // is gone once the list is drawn again: the focus goes to the code field, for the next.
    if (e.detail === 0 && codeInput) codeInput.focus({preventScroll: true});
  });

  // The camera, where the device has one and the page may use it (HTTPS or localhost).
  var start = document.getElementById("camera-start"), stop = document.getElementById("camera-stop");
  var reader = null;
  // Why the camera did not start, and what to do instead, in the page's words: the
  // library's own error ("Error getting userMedia, error = NotFoundError: …") names the
  // browser's error, in English.
  function cameraTrouble(err) {
    var said = String((err && err.name) || err || "");
    if (/NotFound|DevicesNotFound|Overconstrained/.test(said)) return root.dataset.noCamera;
    if (/NotAllowed|PermissionDenied|Security/.test(said)) return root.dataset.cameraRefused;
    if (/NotReadable|TrackStart/.test(said)) return root.dataset.cameraBusy;
    return root.dataset.cameraOther;
  }
  if (window.Html5Qrcode && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    start.hidden = false;
    start.addEventListener("click", function () {
      // QR codes only (a ticket's): the library would otherwise try every format it knows on
      // each frame. The browser's own barcode detector is used where there is one.
      reader = reader || new window.Html5Qrcode("reader", {
        formatsToSupport: [window.Html5QrcodeSupportedFormats.QR_CODE], verbose: false,
        experimentalFeatures: {useBarCodeDetectorIfSupported: true}});
      reader.start({facingMode: "environment"}, {fps: 10, qrbox: {width: 240, height: 240}},
                   function (text) { scan(text, true); }, function () {})
        .then(function () { start.hidden = true; stop.hidden = false; },
              function (err) {
                show("door-no", root.dataset.cameraError, cameraTrouble(err));
                if (codeInput && !("ontouchstart" in window)) codeInput.focus({preventScroll: true});
              });
    });
    stop.addEventListener("click", function () {
      if (reader) reader.stop().then(function () { stop.hidden = true; start.hidden = false; });
    });
  }

  // The page and its files kept on this device (templates/door/service_worker.js): a reload
  // with the network down opens it again. Where a service worker may run (HTTPS, localhost).
  if (root.dataset.serviceWorker && navigator.serviceWorker && window.isSecureContext) {
    var cameThroughIt = !!navigator.serviceWorker.controller;  // and was kept on the way
    navigator.serviceWorker.register(root.dataset.serviceWorker, {scope: root.dataset.scope}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // This page came from the network before the worker was there: it asks to be kept.
      if (!cameThroughIt && registration.active) {
        registration.active.postMessage({keep: location.pathname});
      }
    }, function () { /* the page works as before, online only */ });
  }

  showQueue(load());
  window.addEventListener("online", flush);
  setInterval(function () { flush(); poll(); }, 5000);
  flush();
  if (codeInput && !("ontouchstart" in window)) codeInput.focus();  // a USB scanner types into it
})();
