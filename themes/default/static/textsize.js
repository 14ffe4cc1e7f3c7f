// Larger-text mode for elderly readers (适老化). Loaded in <head> without defer, so the saved choice is
// applied to <html> before the page is drawn; the header gets a toggle button (aria-pressed) once the
// page is parsed. The choice stays in this browser's localStorage: no cookie.
(function () {
  "use strict";
  var KEY = "gongshi-text-size";
  var CLASS = "text-large";
  var root = document.documentElement;
  // The label says the state as well as aria-pressed does, for those who see the button.
  var LABEL_OFF = "大字模式";
  var LABEL_ON = "大字模式：已开启";

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
    if (button) {
      button.setAttribute("aria-pressed", large ? "true" : "false");
      button.textContent = large ? LABEL_ON : LABEL_OFF;
    }
  }

  apply(saved(), null);

  // The button is made here, so that a page without JavaScript shows no control that does nothing.
  document.addEventListener("DOMContentLoaded", function () {
    var bar = document.querySelector(".site-header .header-bar");
    if (!bar || document.getElementById("text-size")) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.id = "text-size";
    button.className = "text-size";
    apply(root.classList.contains(CLASS), button);
    bar.appendChild(button);
    button.addEventListener("click", function () {
      var large = !root.classList.contains(CLASS);
      apply(large, button);
      save(large);
    });
  });
}());
