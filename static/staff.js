// Staff keyboard shortcuts: a key acts on the element marked data-key, unless typing
// (Esc in a field leaves the field).
(function () {
  "use strict";
  var CHOICES = ["radio", "checkbox", "button", "submit", "reset"];  // chosen with a key, not typed in
  function typing(el) {
    if (!el) return false;
    if (el.tagName === "INPUT") return CHOICES.indexOf(el.type) < 0;
    return el.tagName === "TEXTAREA" || el.tagName === "SELECT";
  }
  // Single-key shortcuts can be turned off (a screen reader's own keys, a speech input):
  // kept on this device. Esc then only leaves a field.
  var keysOff = false;
  try { keysOff = window.localStorage.getItem("staff-keys") === "off"; } catch (err) { keysOff = false; }
  var toggle = document.getElementById("keys-toggle");
  function showToggle() {
    if (!toggle) return;
    toggle.setAttribute("aria-pressed", keysOff ? "false" : "true");
    toggle.textContent = keysOff ? toggle.dataset.off : toggle.dataset.on;
  }
  if (toggle) {
    showToggle();
    toggle.addEventListener("click", function () {
      keysOff = !keysOff;
      try { window.localStorage.setItem("staff-keys", keysOff ? "off" : "on"); } catch (err) { /* kept for this page */ }
      showToggle();
    });
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape") {
      // In a field, Esc first leaves it (a clerk clearing a half-typed amount, a supervisor
      // typing a password): only the next Esc cancels.
      if (typing(document.activeElement)) {
        e.preventDefault();
        // Out of a quick sale's field, the keys stay on that performance (its zone chosen):
        // blurred to the page, the next Enter held seats in the first performance listed.
        var card = document.activeElement.closest && document.activeElement.closest(".quick");
        var zone = card && (card.querySelector('input[name="zone"]:checked') || card.querySelector('input[name="zone"]'));
        if (zone) zone.focus(); else document.activeElement.blur();
        return;
      }
      if (keysOff) return;
      var esc = document.querySelector('[data-key="Escape"]');
      if (esc) { e.preventDefault(); esc.click(); }
      return;
    }
    // Enter in the promo code or the comp's reason prices the sale again; it does not take the money.
    var field = document.activeElement;
    if (e.key === "Enter" && field && field.dataset && field.dataset.enter === "quote") {
      e.preventDefault();
      field.dispatchEvent(new Event("change", { bubbles: true }));
      field.blur();  // done with it: the next key is a shortcut, not typed into the code or the reason
      return;
    }
    // Enter in a field that belongs to one of a form's buttons (the phone's payment deadline:
    // Reserve; a zone list: its Hold button, which a list's Enter would not press) presses
    // that button, not the form's first.
    if (e.key === "Enter" && field && field.dataset && field.dataset.enter && document.getElementById(field.dataset.enter)) {
      e.preventDefault();
      document.getElementById(field.dataset.enter).click();
      return;
    }
    // Enter's own meanings above stand; the single keys below are the shortcuts turned off.
    if (keysOff) return;
    // In an amount field the keys below act while it is empty or holds a whole amount ("20",
    // "$20", "20 CAD"); after the amount's space, or in a code begun ("20 C"), a letter is typed:
    // the currency code the server takes after an amount, as the page writes it ("CHF 40.00" is
    // typed back "40 CHF"). A code typed first ("CAD 20") cannot be told from the keys: C goes
    // to the cash, and the server refuses what is left ("AD 20") as no amount.
    var keyed = field && field.getAttribute && field.getAttribute("inputmode") === "decimal" &&
        /^[a-z]$/i.test(e.key) && takesKeys(field);
    // An amount field's own key (C, the cash tendered) pressed in it is not typed: it selects
    // what the field holds, as it does from elsewhere; a clerk presses C, then the amount,
    // whether or not the page opened in that field.
    if (keyed && field.dataset.key && field.dataset.key === e.key.toLowerCase()) {
      e.preventDefault();
      if (field.select) field.select();
      return;
    }
    // In one amount field, the other's key goes to the other (C, the cash tendered; T, the
    // card terminal): the amount typed is whole, and the clerk says cash, then the rest on
    // the card, without leaving the field first.
    if (keyed) {
      var other = document.querySelector('input[inputmode="decimal"][data-key="' + e.key.toLowerCase() + '"]');
      if (other && other !== field) { e.preventDefault(); takeField(other); return; }
    }
    if (typing(document.activeElement)) return;
    if (ticketKeys(e)) { e.preventDefault(); return; }
    var quick = document.querySelector(".quick:focus-within") || document.querySelector(".quick");
    if (/^[1-9]$/.test(e.key) && quick) {
      var qty = quick.querySelector("[data-qty]");
      // Never more than the performance's limit per order: 9 where it is 8 asks for 8.
      qty.value = Math.min(parseInt(e.key, 10), parseInt(qty.max, 10) || 9);
      e.preventDefault();
      return;
    }
    // N, not Z: the bar's Z closes the shift on every counter page, this one's too.
    if ((e.key === "n" || e.key === "N") && quick) {
      var radios = quick.querySelectorAll('input[name="zone"]');
      var i = Array.prototype.findIndex.call(radios, function (r) { return r.checked; });
      if (radios.length) { radios[(i + 1) % radios.length].checked = true; radios[(i + 1) % radios.length].focus(); }
      e.preventDefault();
      return;
    }
    // Enter on a link or a button outside the quick sales (Later, Find, the bar's links) is
    // that link's or button's own.
    var focused = document.activeElement;
    var elsewhere = focused && focused !== document.body && !(focused.closest && focused.closest(".quick"));
    if (e.key === "Enter" && quick && !elsewhere) { e.preventDefault(); quick.querySelector("form").requestSubmit(); return; }
    var target = document.querySelector('[data-key="' + e.key.toLowerCase() + '"]');
    if (!target) return;
    e.preventDefault();
    // A box to tick (R, the tickets to refund): the only one is ticked (what it pays back is
    // asked for) and its form's button has the focus, for Enter; among several the focus
    // goes to the first and the clerk ticks the ones to refund.
    if (target.type === "checkbox") {
      var form = target.form;
      var boxes = form ? form.querySelectorAll('input[type="checkbox"][name="' + target.name + '"]') : [];
      var submit = form && form.querySelector('button[type="submit"]');
      if (boxes.length === 1 && submit) {
        if (!target.checked) target.click();  // a click: its change asks what it pays back
        submit.focus();
      } else {
        target.focus();
      }
      return;
    }
    // A field's key selects what it holds: what is typed next replaces it (C, then the amount).
    // The card field's key goes into the provider's field, in its frame (card.js).
    if (target.tagName === "INPUT") takeField(target);
    else if (target.tagName === "IFRAME" && window.cardFieldFocus) window.cardFieldFocus(target);
    else target.click();
  });
  // Whether an amount field takes a letter as a key: empty, or a whole amount ending as one
  // (not in the space before a currency code).
  function takesKeys(field) {
    var typed = field.value || "";
    return !typed.trim() || (!/\s$/.test(typed) && !isNaN(typedAmount(typed)));
  }
  // A field reached by its key. One in a closed section (the card terminal's) opens it: hidden,
  // it could not take the focus. The card terminal's amount, empty, is offered what is left
  // to pay once the cash typed is counted (data-rest-of: the total's element), and the focus
  // goes on to what is still to type (data-then: the terminal's authorisation reference), so
  // a card sale is T, the reference, Enter; Shift+Tab goes back to the amount for a split.
  function takeField(target) {
    var section = target.closest && target.closest("details");
    if (section && !section.open) section.open = true;
    var total = target.dataset.restOf && document.getElementById(target.dataset.restOf);
    if (total && total.dataset.amount && !target.value.trim()) {
      var cashField = document.getElementById("tendered");
      var cash = typedAmount(cashField ? cashField.value : "");
      var rest = Math.round((parseFloat(total.dataset.amount) - (isNaN(cash) ? 0 : cash)) * 100) / 100;
      if (!isNaN(cash) && rest > 0) {
        var french = (document.documentElement.lang || "en").indexOf("fr") === 0;
        target.value = french ? rest.toFixed(2).replace(".", ",") : rest.toFixed(2);
        target.dispatchEvent(new Event("input", { bubbles: true }));  // the change line counts it
      }
    }
    var then = target.dataset.then && target.value.trim() && document.getElementById(target.dataset.then);
    if (then) target = then;
    target.focus();
    if (target.select) target.select();  // what is typed next replaces it
  }
  // A sale's tickets (#ticket-types): ↑ ↓ choose one, a number gives it that price type
  // (the numbers of #type-keys) and moves to the next. A click or Tab chooses one too.
  var ticketTable = document.getElementById("ticket-types");
  function ticketRows() {
    return ticketTable ? Array.prototype.slice.call(ticketTable.querySelectorAll("tr[data-ticket]")) : [];
  }
  function chooseTicket(row) {
    ticketRows().forEach(function (r) {
      r.classList.toggle("current", r === row);
      if (r === row) r.setAttribute("aria-current", "true"); else r.removeAttribute("aria-current");
    });
    if (row && row.scrollIntoView) row.scrollIntoView({ block: "nearest" });
  }
  function say(text) {
    var status = document.getElementById("type-key-status");
    if (status) status.textContent = text;
  }
  function ticketKeys(e) {
    var rows = ticketRows(), keys = document.getElementById("type-keys");
    if (!rows.length || !keys) return false;  // no price types: nothing to choose
    var i = rows.indexOf(ticketTable.querySelector("tr.current"));
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      chooseTicket(rows[Math.max(0, Math.min(rows.length - 1, i + (e.key === "ArrowDown" ? 1 : -1)))]);
      return true;
    }
    if (!/^[1-9]$/.test(e.key)) return false;
    var item = keys.querySelectorAll("li")[parseInt(e.key, 10) - 1];
    var select = rows[Math.max(0, i)].querySelector("select");
    if (!item || !select) return true;
    if (!select.querySelector('option[value="' + item.dataset.type + '"]')) {
      say(keys.dataset.notSold.replace("{type}", item.dataset.name));
      return true;
    }
    select.value = item.dataset.type;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    // Said, as the row's mark moves on without the focus: "A-18: Child".
    var colon = (document.documentElement.lang || "en").indexOf("fr") === 0 ? "\u00a0: " : ": ";
    say(rows[Math.max(0, i)].cells[0].textContent.trim().split("\n")[0] + colon + item.dataset.name);
    if (i + 1 < rows.length) chooseTicket(rows[i + 1]);
    return true;
  }
  if (ticketTable) {
    ticketTable.addEventListener("click", function (e) {
      var row = e.target.closest("tr[data-ticket]");
      if (row) chooseTicket(row);
    });
    ticketTable.addEventListener("focusin", function (e) {
      var row = e.target.closest("tr[data-ticket]");
      if (row) chooseTicket(row);
    });
  }
  // An amount as the server writes it (sales.formatting.money): $1,234.50, 1 234,50 $, in
  // the sale's currency: the change line carries zero as the server writes it in that
  // currency (data-money: "€0.00", "0,00 CHF"), and the amount takes the zero's place.
  function money(value) {
    var french = (document.documentElement.lang || "en").indexOf("fr") === 0;
    var parts = value.toFixed(2).split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, french ? "\u202f" : ",");
    var number = whole + (french ? "," : ".") + parts[1];
    var line = document.getElementById("change-line");
    var shape = line && line.dataset.money;
    if (shape && /0[.,]00/.test(shape)) return shape.replace(/0[.,]00/, function () { return number; });
    return french ? number + "\u00a0$" : "$" + number;
  }
  // An amount as typed, read as the server reads it (sales.channels.forms.typed_amount):
  // "$200", "1,000.00", "1 000,00", "20,5", "20,50 €"; NaN for what it refuses or reads two ways
  // ("1,000": a thousand, or one with three decimals).
  function typedAmount(typed) {
    var raw = (typed || "").replace(/[\s\u00a0\u202f]+/g, " ").trim();
    if (!raw) return 0;
    // One currency mark before or after it ("€20", "20,50 €", "EUR 20") goes, as the
    // server takes it (forms.typed_amount, which knows which codes it takes).
    var marked = /^([^\d\s.,-]*) ?(.*?) ?([^\d\s.,-]*)$/.exec(raw), mark = marked[1] || marked[3];
    if (mark) {
      if ((marked[1] && marked[3]) || !marked[2] || !/^([$\u20ac\u00a3]|[A-Za-z]{3})$/.test(mark)) return NaN;
      raw = marked[2];
    }
    if (raw.indexOf(" ") >= 0) {  // spaces group thousands, and only that
      var spaced = /^([0-9]{1,3})((?: [0-9]{3})+)(?:[.,]([0-9]{1,2}))?$/.exec(raw);
      return spaced ? parseFloat(spaced[1] + spaced[2].replace(/ /g, "") + (spaced[3] ? "." + spaced[3] : "")) : NaN;
    }
    var marks = raw.replace(/[^,.]/g, ""), cents = null, groups, at, whole;
    if (marks.indexOf(",") >= 0 && marks.indexOf(".") >= 0) {  // the last is the decimal mark
      at = raw.lastIndexOf(marks[marks.length - 1]);
      whole = raw.slice(0, at);
      cents = raw.slice(at + 1);
      if (whole.indexOf(marks[marks.length - 1]) >= 0) return NaN;
      groups = whole.split(marks[0]);
    } else if (marks.length > 1) {  // one mark, several times: it groups thousands
      groups = raw.split(marks[0]);
    } else if (marks.length === 1) {
      at = raw.indexOf(marks);
      whole = raw.slice(0, at);
      cents = raw.slice(at + 1);
      if (cents.length === 3 && /^[1-9][0-9]{0,2}$/.test(whole)) return NaN;
      groups = [whole];
    } else {
      groups = [raw];
    }
    if (groups.length > 1 && (groups[0].length < 1 || groups[0].length > 3 ||
        groups.slice(1).some(function (g) { return g.length !== 3; }))) return NaN;
    var number = groups.join("") + (cents !== null ? "." + cents : "");
    return /^([0-9]+(\.[0-9]*)?|\.[0-9]+)$/.test(number) ? parseFloat(number) : NaN;
  }
  // Change due, as the clerk types the cash tendered, against the total shown now (the
  // totals come back from the server when a price type or the code changes).
  var tendered = document.getElementById("tendered");
  if (tendered) {
    var card = document.getElementById("card_amount");
    var update = function () {
      var shown = document.getElementById("total");
      var change = document.getElementById("change");
      if (!change) return;  // a form with no change line (a reservation paid at the counter)
      if (!shown || !shown.dataset.amount) { change.textContent = "—"; return; }  // no total: no change to give
      var total = parseFloat(shown.dataset.amount) || 0;
      var cash = typedAmount(tendered.value), onCard = typedAmount(card && card.value);
      if (isNaN(cash) || isNaN(onCard)) { change.textContent = "—"; return; }  // the server says why
      // The cash part to the nearest coin (5¢ in Canada), as the server takes it.
      var step = parseFloat(tendered.dataset.rounding || "0.01") || 0.01;
      var due = Math.round(Math.round((total - onCard) * 100) / (step * 100)) * step;
      // The change in coins too (a tendered 163.26 against 163.25 gives nothing back).
      var back = Math.round(Math.round((cash - due) * 100) / (step * 100)) * step;
      // Cash typed and short of what is due: by how much, before the server refuses it.
      var line = document.getElementById("change-line");
      change.textContent = back < 0 && cash > 0 && line && line.dataset.short
        ? line.dataset.short + " " + money(-back) : money(Math.max(0, back));
    };
    tendered.addEventListener("input", update);
    if (card) card.addEventListener("input", update);
    document.body.addEventListener("htmx:afterSettle", update);
    // A page that comes back refused keeps the amounts as typed: its change line says what
    // they give (short by so much), not the server's zero.
    if (tendered.value || (card && card.value)) update();
  }
  // No inline handlers (the Content-Security-Policy allows none): confirmations and print
  // buttons are marked in the page and wired here.
  // A refund of ticked tickets with none ticked has nothing to confirm: the server says to
  // tick them, and refunds nothing.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.dataset || !form.dataset.confirm) return;
    var boxes = form.querySelectorAll('input[name="tickets"][type="checkbox"]');
    if (boxes.length && !form.querySelector('input[name="tickets"][type="checkbox"]:checked')) return;
    if (!window.confirm(question(form))) e.preventDefault();
  });
  // A refund of the tickets ticked asks what the server said they pay back (#refund-payback,
  // asked again as the ticks change), while that is for the tickets ticked now; else (an
  // answer still on its way) the form's own question, which names no amount.
  function question(form) {
    var payback = form.querySelector("#refund-payback[data-question]");
    if (!payback || !payback.dataset.question) return form.dataset.confirm;
    var ticked = Array.prototype.map.call(form.querySelectorAll('input[name="tickets"]:checked'),
      function (c) { return Number(c.value); }).sort(function (a, b) { return a - b; }).join(",");
    return payback.dataset.ticked === ticked ? payback.dataset.question : form.dataset.confirm;
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-confirm]");
    if (link && !window.confirm(link.dataset.confirm)) e.preventDefault();
  });
  // An error the page came back with is where the focus goes, so that it is read first,
  // unless the page puts it in the field to correct (which names its error): a message at
  // the top, or one in a card beside what it is about (a declined card: Tab, the next card).
  var error = document.querySelector("#price-errors, .messages .msg-error, .card > .msg-error[role=alert]");
  if (error && !document.querySelector("[autofocus]")) { error.setAttribute("tabindex", "-1"); error.focus(); }
  // An amount offered in the field the page opens in (the cash float, 200.00): selected, so
  // that the amount the clerk types replaces it rather than being typed into it.
  var offered = document.querySelector("input[autofocus][inputmode=decimal]");
  if (offered && offered.value) {
    if (document.activeElement === offered) offered.select();
    else offered.addEventListener("focus", function () { offered.select(); }, { once: true });
  }
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  // A page reached by "close and print" prints once: the address loses its ?print=1, so
  // that coming back to it (reload, Back) does not print it again.
  if (document.querySelector("[data-print-now]")) {
    if (window.history.replaceState) window.history.replaceState(null, "", window.location.pathname);
    window.addEventListener("load", function () { window.print(); });
  }
  // On a phone a wide table scrolls within its card (shop.css), a stop of the keyboard's
  // named by its heading (scrollbox.js).
  var named = 0;
  function scrollingCards() {
    window.scrollStops(".staffbar ~ .card, .staffbar ~ * .card", function (card) {
      var heading = card.querySelector("h2, h3");
      if (heading) {
        if (!heading.id) heading.id = "card-heading-" + (++named);
        card.setAttribute("aria-labelledby", heading.id);
      }
    });
  }
  scrollingCards();
  window.addEventListener("resize", scrollingCards);
  document.body.addEventListener("htmx:afterSettle", scrollingCards);
  // Signing out forgets the door's scanning page kept on this device for the network's
  // outages (templates/door/service_worker.js): it is shown to nobody signed out. The form
  // is sent once it is forgotten.
  var signOut = document.getElementById("sign-out");
  if (signOut && window.caches) {
    signOut.addEventListener("submit", function (e) {
      e.preventDefault();
      var send = function () { HTMLFormElement.prototype.submit.call(signOut); };
      window.caches.delete("boxoffice-door-pages").then(send, send);
    });
  }
})();
