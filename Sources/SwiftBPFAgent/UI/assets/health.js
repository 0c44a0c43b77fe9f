// Health: the agent's resources, store and export, each collector's state, losses and BPF
// programs, and the overhead governor's decisions. Refreshed every 2 s.
"use strict";
UI.pages.health = (function () {
  var state;
  function card(k, v) { return UI.el("div", { class: "card" }, [UI.el("div", { class: "v", text: String(v) }), UI.el("div", { class: "k", text: k })]); }
  function load() {
    Promise.all([UI.json("/api/v1/status"), UI.json("/api/v1/collectors"), UI.json("/api/v1/governor")]).then(function (r) {
      var s = r[0], c = r[1].collectors, g = r[2];
      state.notice.replaceChildren();
      state.cards.replaceChildren(card("uptime", s.uptime_seconds + " s"), card("resident memory", UI.bytes(s.resident_memory_bytes)),
        card("CPU time", s.cpu_seconds.toFixed(2) + " s"), card("collectors running", s.collectors_running + " / " + s.collectors_configured),
        card("live subscribers", s.live_subscribers), card("store", s.store.state + (s.store.stored_events !== undefined ? " · " + s.store.stored_events + " events" : "")),
        card("OTLP", s.otlp.endpoint ? s.otlp.sent_events + " sent · " + s.otlp.dropped_events + " dropped" : "off"), card("API auth", s.auth));
      var rows = c.map(function (x) {
        var runs = x.programs.reduce(function (a, p) { return a + p.run_count; }, 0);
        return UI.el("tr", {}, [UI.el("td", { text: x.name }), UI.el("td", {}, [UI.el("span", { class: "state " + x.state, text: x.state })]),
          UI.el("td", { text: String(x.priority) }), UI.el("td", { text: "1/" + x.sample }), UI.el("td", { text: String(x.lost_events) }),
          UI.el("td", { text: x.programs.map(function (p) { return p.name + "#" + p.id; }).join(", ") }), UI.el("td", { text: String(runs) }),
          UI.el("td", { class: "details", text: x.error || "" })]);
      });
      state.collectors.replaceChildren(c.length ? UI.el("table", { id: "health-collectors" }, [UI.el("thead", {}, [UI.el("tr", {},
        ["collector", "state", "priority", "sampling", "lost events", "programs", "runs", "error"].map(function (h) { return UI.el("th", { text: h }); }))]),
        UI.el("tbody", {}, rows)]) : UI.banner("", "No collector is configured."));
      var budget = g.cpu_percent_budget > 0 || g.rss_mb_budget > 0 ? "budget " + g.cpu_percent_budget + " % CPU, " + g.rss_mb_budget + " MB RSS; now " + g.cpu_percent.toFixed(2) + " % CPU" : "no budget configured";
      state.governor.replaceChildren(UI.el("div", { class: "status", text: budget + (g.shed.length ? "; shed: " + g.shed.join(", ") : "") }));
      if (!g.decisions.length) { state.governor.appendChild(UI.el("div", { class: "status", text: "no decisions yet" })); }
      g.decisions.slice(-20).reverse().forEach(function (d) {
        state.governor.appendChild(UI.el("div", { class: "lineage", text: UI.time(d.time_ns) + "  " + d.action + " " + d.collector + ": " + d.reason }));
      });
    }, function (err) { state.notice.replaceChildren(UI.errorBanner(err)); });
  }
  function mount(main) {
    state = { notice: UI.el("div"), cards: UI.el("div", { class: "cards", id: "health-cards" }), collectors: UI.el("div", { class: "panel" }), governor: UI.el("div", { class: "panel" }) };
    main.append(UI.el("h2", { text: "Health" }), state.notice, state.cards, UI.el("h3", { text: "Collectors" }), state.collectors,
      UI.el("h3", { text: "Overhead governor" }), state.governor);
    load();
    state.timer = setInterval(load, 2000);
  }
  return { title: "Health", mount: mount, unmount: function () { if (state) { clearInterval(state.timer); } } };
})();
