// gongshi serve only (never part of a built site): reload the page when a newer build is served, and show
// the problems of a failed build in an overlay above the last good page. A file, not inline, so the site's
// Content-Security-Policy holds under the preview; the events come from the preview server (connect-src 'self').
(function () {
  "use strict";
  var script = document.currentScript;
  var pageBuild = (script && script.getAttribute("data-build")) || "";
  var base = new URL(".", script ? script.src : window.location.href);
  var overlay = null;
  var shown = "";
  var dismissed = "";
  var returnFocus = null;

  var sheet = document.createElement("link");
  sheet.rel = "stylesheet";
  sheet.href = new URL("livereload.css", base).href;
  document.head.appendChild(sheet);

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function remove() {
    if (!overlay) { return; }
    var hadFocus = overlay.contains(document.activeElement);
    overlay.parentNode.removeChild(overlay);
    overlay = null;
    shown = "";
    if (hadFocus && returnFocus && document.contains(returnFocus)) { returnFocus.focus(); }
  }

  function close() {
    dismissed = shown;
    remove();
  }

  function show(problems) {
    var key = problems.join("\n");
    if (key === dismissed || (overlay && key === shown)) { return; }
    remove();
    returnFocus = document.activeElement;
    overlay = make("div", "gongshi-overlay");
    overlay.id = "gongshi-overlay";
    overlay.setAttribute("role", "alert");
    overlay.setAttribute("aria-labelledby", "gongshi-overlay-title");
    var head = make("div", "gongshi-overlay-head");
    var title = make("h2", "gongshi-overlay-title", "预览未更新：构建发现 " + problems.length + " 个问题");
    title.id = "gongshi-overlay-title";
    var button = make("button", "gongshi-overlay-close", "关闭");
    button.type = "button";
    button.setAttribute("aria-keyshortcuts", "Escape");
    button.addEventListener("click", close);
    head.appendChild(title);
    head.appendChild(button);
    overlay.appendChild(head);
    overlay.appendChild(make("p", "gongshi-overlay-note",
      "下面仍是上一次成功构建的页面。修正文件并保存后，预览会自动刷新，本提示随之消失。按 Esc 键可关闭本提示。"));
    var list = make("ol", "gongshi-overlay-list");
    list.setAttribute("tabindex", "0");
    list.setAttribute("aria-label", "问题列表（文件:行:列: 字段: 说明）");
    problems.forEach(function (problem) {
      var item = make("li");
      item.appendChild(make("code", "", problem));
      list.appendChild(item);
    });
    overlay.appendChild(list);
    document.body.insertBefore(overlay, document.body.firstChild);
    shown = key;
  }

  document.addEventListener("keydown", function (event) {
    if (overlay && (event.key === "Escape" || event.key === "Esc")) { close(); }
  });

  function update(status) {
    if (status.build && status.build !== pageBuild) {
      window.location.reload();
      return;
    }
    if (status.problems && status.problems.length) {
      show(status.problems);
    } else {
      dismissed = "";
      remove();
    }
  }

  var events = new EventSource(new URL("events", base).href);
  events.onmessage = function (message) {
    var status;
    try { status = JSON.parse(message.data); } catch (error) { return; }
    update(status);
  };
}());
