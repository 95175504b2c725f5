// Razorpay's Checkout for one order; its signed result is posted back to Lyceum, which verifies it.
(function () {
  const box = document.getElementById("razorpay-checkout");
  if (!box) return;
  const options = JSON.parse(document.getElementById("razorpay-options").textContent);
  const state = document.getElementById("razorpay-state");
  const csrf = decodeURIComponent((document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "");
  function open() {
    if (!window.Razorpay) { state.textContent = "Razorpay's checkout could not be loaded."; return; }
    const checkout = new window.Razorpay({
      key: options.key, order_id: options.order_id, amount: options.amount, currency: options.currency,
      name: options.name, description: options.description, prefill: options.prefill,
      handler: async (result) => {
        state.textContent = "Confirming the payment…";
        await fetch(box.dataset.verifyUrl, {
          method: "POST", credentials: "same-origin",
          headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
          body: JSON.stringify({transaction: options.transaction, ...result}),
        });
        window.location.href = box.dataset.returnUrl;
      },
      modal: {ondismiss: () => { state.textContent = "You closed the checkout: nothing was charged."; }},
    });
    checkout.open();
  }
  document.getElementById("razorpay-open").addEventListener("click", open);
  window.addEventListener("load", open);
})();
