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
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape") {
      // In a field, Esc first leaves it (a clerk clearing a half-typed amount, a supervisor
      // typing a password): only the next Esc cancels.
      if (typing(document.activeElement)) { e.preventDefault(); document.activeElement.blur(); return; }
      var esc = document.querySelector('[data-key="Escape"]');
      if (esc) { e.preventDefault(); esc.click(); }
      return;
    }
    if (typing(document.activeElement)) return;
    var quick = document.querySelector(".quick:focus-within") || document.querySelector(".quick");
    if (/^[1-9]$/.test(e.key) && quick) {
      quick.querySelector("[data-qty]").value = e.key;
      e.preventDefault();
      return;
    }
    if ((e.key === "z" || e.key === "Z") && quick) {
      var radios = quick.querySelectorAll('input[name="zone"]');
      var i = Array.prototype.findIndex.call(radios, function (r) { return r.checked; });
      if (radios.length) { radios[(i + 1) % radios.length].checked = true; radios[(i + 1) % radios.length].focus(); }
      e.preventDefault();
      return;
    }
    if (e.key === "Enter" && quick) { e.preventDefault(); quick.querySelector("form").requestSubmit(); return; }
    var target = document.querySelector('[data-key="' + e.key.toLowerCase() + '"]');
    if (!target) return;
    e.preventDefault();
    if (target.tagName === "INPUT") target.focus(); else target.click();
  });
  // Change due, as the clerk types the cash tendered.
  var tendered = document.getElementById("tendered");
  if (tendered) {
    var total = parseFloat(document.getElementById("total").textContent);
    var card = document.getElementById("card_amount");
    var update = function () {
      var cash = parseFloat((tendered.value || "0").replace(",", ".")) || 0;
      var onCard = parseFloat(((card && card.value) || "0").replace(",", ".")) || 0;
      document.getElementById("change").textContent = Math.max(0, cash + onCard - total).toFixed(2);
    };
    tendered.addEventListener("input", update);
    if (card) card.addEventListener("input", update);
  }
  // No inline handlers (the Content-Security-Policy allows none): confirmations and print
  // buttons are marked in the page and wired here.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
