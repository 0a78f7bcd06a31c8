// The card field: the payment provider's own (Stripe.js, or localstripe's stand-in on the
// local stack). The card goes from this field to the provider; the form sends the box
// office only the token the provider gives back. A form that asks for a card carries
// data-card-form, data-publishable-key and an input named card_token.
(function () {
  "use strict";
  function say(box, message) {
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
    if (message) box.focus();
  }

  function setupCardForm(form) {
    if (!window.Stripe || form.dataset.cardReady) return;
    form.dataset.cardReady = "1";
    var stripe = window.Stripe(form.dataset.publishableKey);
    var card = stripe.elements().create("card");
    card.mount(form.querySelector("[data-card-element]"));
    var errors = form.querySelector("[data-card-errors]");
    var token = form.querySelector("input[name=card_token]");
    form.addEventListener("submit", function (event) {
      if (token.value) return;  // tokenised: on its way
      event.preventDefault();
      stripe.createToken(card).then(function (result) {
        if (result.error) {
          say(errors, result.error.message || form.dataset.cardInvalid || "");
          return;
        }
        token.value = result.token.id;
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      });
    });
  }

  // The bank's question (3-D Secure): the provider's script asks the cardholder, then the
  // page tells the box office, which asks the provider how it ended.
  function setupBankStep(form) {
    if (!window.Stripe || form.dataset.bankStarted) return;
    form.dataset.bankStarted = "1";
    var stripe = window.Stripe(form.dataset.publishableKey);
    stripe.confirmCardPayment(form.dataset.clientSecret).then(function () { form.submit(); });
  }

  function setup() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-card-form]"), setupCardForm);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-bank-step]"), setupBankStep);
  }
  document.addEventListener("DOMContentLoaded", setup);
  document.addEventListener("htmx:afterSettle", setup);
})();
