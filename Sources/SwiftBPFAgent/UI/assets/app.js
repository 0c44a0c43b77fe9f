// The page router: #/NAME shows UI.pages[NAME]; #token=… stores the token and goes on.
"use strict";
(function () {
  var current = null;
  function route() {
    var hash = location.hash || "";
    var t = /token=([^&]+)/.exec(hash);
    if (t) { UI.setToken(decodeURIComponent(t[1])); history.replaceState(null, "", "#/events"); hash = "#/events"; }
    var name = (hash.replace(/^#\/?/, "").split("?")[0]) || "events";
    if (!UI.pages[name]) { name = "events"; }
    if (current && current.unmount) { current.unmount(); }
    var main = document.getElementById("page");
    main.textContent = "";
    Array.prototype.forEach.call(document.querySelectorAll("#nav a"), function (a) {
      a.classList.toggle("active", a.getAttribute("data-page") === name);
    });
    document.title = UI.pages[name].title + " · swiftbpf-agent";
    current = UI.pages[name];
    current.mount(main);
  }
  document.getElementById("tokenbar").addEventListener("submit", function (e) {
    e.preventDefault();
    UI.setToken(document.getElementById("token").value.trim());
    document.getElementById("tokenbar").classList.add("hidden");
    route();
  });
  window.addEventListener("hashchange", route);
  route();
})();
