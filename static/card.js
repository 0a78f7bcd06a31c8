// The card field: the payment provider's own (Stripe.js, or localstripe's stand-in on the
// local stack), in a frame of its own (/payments/card-field/) as the provider's fields
// are: its script then touches nothing of the page's. The card goes from that field to
// the provider; the form sends the box office only the token the provider gives back.
(function () {
  "use strict";
  var TOKENISE = "boxoffice:tokenise", TOKEN = "boxoffice:token", FOCUS = "boxoffice:card-focus",
      ENTER = "boxoffice:enter", FOCUS_FIELD = "boxoffice:focus-field";

  // In the frame: the provider's field, tokenised when the page asks.
  function setupField(box) {
    if (!window.Stripe || box.dataset.cardReady) return;
    box.dataset.cardReady = "1";
    var stripe = window.Stripe(box.dataset.publishableKey);
    // The field says its own words (placeholders, what is wrong with a card) in the page's
    // language, the frame's <html lang> (the page's own, as the frame is served with it).
    var card = stripe.elements({locale: document.documentElement.lang || "auto"}).create("card");
    card.mount(box);
    // The page draws the focus ring round the frame (its own style cannot see the keyboard
    // in here): the field says when it has the focus (Stripe's element through its events,
    // the stand-in's boxes, of this document, through the document's).
    var focused = function (yes) {
      return function () { window.parent.postMessage({type: FOCUS, focused: yes}, window.location.origin); };
    };
    if (card.on) { card.on("focus", focused(true)); card.on("blur", focused(false)); }
    document.addEventListener("focusin", focused(true));
    document.addEventListener("focusout", focused(false));
    window.addEventListener("blur", focused(false));
    // Enter in the field (its own document: the page's keys never see it) is said to the
    // page, which pays as the form's Pay button does: a frame has no form of its own to send.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.isComposing || event.ctrlKey || event.altKey || event.metaKey) return;
      event.preventDefault();
      window.parent.postMessage({type: ENTER}, window.location.origin);
    });
    // The page's key into the card (a staff page's C): the field's first box, where the
    // number goes (Stripe's element has its own focus; the stand-in's boxes are this document's).
    window.addEventListener("message", function (event) {
      if (event.origin !== window.location.origin || !event.data || event.data.type !== FOCUS_FIELD) return;
      if (typeof card.focus === "function") card.focus();
      else if (box.querySelector("input")) box.querySelector("input").focus();
    });
    window.addEventListener("message", function (event) {
      if (event.origin !== window.location.origin || !event.data || event.data.type !== TOKENISE) return;
      var answer = function (result) {
        window.parent.postMessage({type: TOKEN, token: result.token ? result.token.id : "",
                                   error: result.error ? String(result.error.message || result.error) : ""},
                                  window.location.origin);
      };
      // The provider says what is wrong with a card in its answer's error; a script that
      // fails (a stand-in's field left empty) says nothing a buyer should read.
      Promise.resolve().then(function () { return stripe.createToken(card); })
        .then(answer, function () { answer({}); });
    });
  }

  // In the page: before the form goes, the frame's token. In a form whose buttons do other
  // things too (the phone console's sale: reserve, update the total), only the buttons
  // marked data-card-pay take the card.
  function setupForm(form) {
    if (form.dataset.cardReady) return;
    form.dataset.cardReady = "1";
    var frame = form.querySelector("iframe[data-card-frame]");
    var token = form.querySelector("input[name=card_token]");
    var errors = form.querySelector("[data-card-errors]");
    var marked = form.querySelector("[data-card-pay]") !== null;
    var asked = false, submitter = null;
    // Enter in this form's card field: the payment, by the button that takes the card (in a
    // form that also reserves or prices again, the one marked data-card-pay), unless it is
    // disabled (the hold lapsed). Never another form's, nor another button of this one.
    window.addEventListener("message", function (event) {
      if (event.origin !== window.location.origin || !event.data || event.data.type !== ENTER) return;
      if (!frame || event.source !== frame.contentWindow) return;
      var pay = marked ? form.querySelector("[data-card-pay]")
        : form.querySelector('button[type="submit"], button:not([type]), input[type="submit"]');
      if (!pay || pay.disabled) return;
      if (form.requestSubmit) form.requestSubmit(pay); else pay.click();
    });
    window.addEventListener("message", function (event) {
      if (event.origin !== window.location.origin || !event.data || event.data.type !== TOKEN) return;
      var said = form.querySelector("input[name=card_error]");
      if (said) said.value = event.data.token ? "" : (event.data.error || "");  // the page says it again
      if (event.data.token) token.value = event.data.token;
      else if (errors) { errors.textContent = event.data.error; errors.hidden = !event.data.error; }
      asked = true;  // with no token, the page's own check says what is missing
      busyUntil = 0;  // the submit below is the one asked for
      if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
    });
    // A second click on Pay while the card is being tokenised or the payment sent is not
    // a second payment: it is dropped (for a while: a page that stays, say an htmx form,
    // may be sent again). The box office answers a second request as the first anyway.
    var busyUntil = 0;
    window.addEventListener("pageshow", function () { busyUntil = 0; });
    form.addEventListener("submit", function (event) {
      var paying = !marked || (event.submitter && event.submitter.hasAttribute("data-card-pay"));
      if (paying && Date.now() < busyUntil) { event.preventDefault(); return; }
      if (token.value || asked) {
        if (paying) busyUntil = Date.now() + 15000;
        return;
      }
      if (!paying) return;
      event.preventDefault();
      busyUntil = Date.now() + 15000;
      submitter = event.submitter || null;
      frame.contentWindow.postMessage({type: TOKENISE}, window.location.origin);
    });
  }

  // The bank's question (3-D Secure): the provider's script asks the cardholder, then the
  // page tells the box office, which asks the provider how it ended.
  function setupBankStep(form) {
    if (!window.Stripe || form.dataset.bankStarted) return;
    form.dataset.bankStarted = "1";
    window.Stripe(form.dataset.publishableKey).confirmCardPayment(form.dataset.clientSecret)
      .then(function () { form.submit(); });
  }

  // In the page: into the card field's frame, and on into its first box.
  window.cardFieldFocus = function (frame) {
    frame.focus();
    frame.contentWindow.postMessage({type: FOCUS_FIELD}, window.location.origin);
  };

  // In the page: the card field's focus ring, as its frame says.
  window.addEventListener("message", function (event) {
    if (event.origin !== window.location.origin || !event.data || event.data.type !== FOCUS) return;
    Array.prototype.forEach.call(document.querySelectorAll("iframe[data-card-frame]"), function (frame) {
      if (frame.contentWindow === event.source) frame.classList.toggle("card-focused", event.data.focused === true);
    });
  });

  function setup() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-card-field]"), setupField);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-card-form]"), setupForm);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-bank-step]"), setupBankStep);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup); else setup();
  document.addEventListener("htmx:afterSettle", setup);
})();
