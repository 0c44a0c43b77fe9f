// Security and firewall: what the guard and firewall collectors report, or a clear state when
// they do not run in this agent.
"use strict";
UI.pages.security = (function () {
  function mount(main) {
    var notice = UI.el("div");
    main.append(UI.el("h2", { text: "Security and firewall" }), notice);
    UI.collectors().then(function (c) {
      notice.append(UI.collectorState(c, "guard", "there are no policy alerts or monitor-mode verdicts to show") || UI.banner("info", "guard runs."),
        UI.collectorState(c, "firewall", "there are no firewall counters to show") || UI.banner("info", "firewall runs."));
      notice.append(UI.el("div", { class: "panel status", text: "Runtime security and the XDP firewall run today as `swiftbpf guard` and `swiftbpf firewall`; this page lists their alerts and counters once the agent runs them as collectors." }));
    }, function (err) { notice.replaceChildren(UI.errorBanner(err)); });
  }
  return { title: "Security", mount: mount, unmount: function () {} };
})();
