// Larger-text mode for elderly readers (适老化). Loaded in <head> without defer, so the saved choice is
// applied to <html> before the page is drawn. The choice stays in this browser's localStorage: no cookie.
(function () {
  "use strict";
  var KEY = "gongshi-text-size";
  var CLASS = "text-large";
  var root = document.documentElement;

  function saved() {
    try { return window.localStorage.getItem(KEY) === "large"; } catch (e) { return false; }
  }

  function save(large) {
    try {
      if (large) { window.localStorage.setItem(KEY, "large"); } else { window.localStorage.removeItem(KEY); }
    } catch (e) { /* storage disabled: the choice lasts for this page only */ }
  }

  function apply(large, button) {
    root.classList.toggle(CLASS, large);
    if (button) { button.setAttribute("aria-pressed", large ? "true" : "false"); }
  }

  apply(saved(), null);

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("text-size");
    if (!button) { return; }
    apply(root.classList.contains(CLASS), button);
    button.hidden = false;
    button.addEventListener("click", function () {
      var large = !root.classList.contains(CLASS);
      apply(large, button);
      save(large);
    });
  });
}());
