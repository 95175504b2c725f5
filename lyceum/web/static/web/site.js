// Behaviour every page shares. Pages run no inline script (the Content-Security-Policy forbids it):
// a button that needs confirming says so in data-confirm.
(function () {
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
})();
