// Security and firewall: what the guard and firewall collectors report, or a clear state when
// they do not run in this agent.
"use strict";
UI.pages.security = (function () {
  function mount(main) {
    var notice = UI.el("div");
    main.append(UI.el("h2", { text: "Security and firewall" }), notice);
    UI.collectors().then(function (c) {
      notice.append(UI.collectorState(c, "guard", "there are no policy alerts or monitor-mode verdicts to show") ||
        UI.banner("info", "guard runs: its events (kinds guard_*, with the deciding rule and action) are in Events."));
      notice.append(UI.el("div", { class: "panel status", text: "The XDP firewall is not an agent collector yet: its counters are in `swiftbpf firewall status`. A list of alerts by policy here is still to come." }));
    }, function (err) { notice.replaceChildren(UI.errorBanner(err)); });
  }
  return { title: "Security", mount: mount, unmount: function () {} };
})();
