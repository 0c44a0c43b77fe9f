// Security and firewall: the guard policy's alerts by rule (count, newest first, the last few),
// what its monitor-mode rules would have done, and the firewall collector's per-rule packet
// and byte counters; a clear state when a collector does not run. Refreshed every 3 s.
"use strict";
UI.pages.security = (function () {
  var state;
  function cell(text, cls) { return UI.el("td", { text: String(text), class: cls || "" }); }
  function table(id, head, rows) {
    return UI.el("table", { id: id }, [UI.el("thead", {}, [UI.el("tr", {}, head.map(function (h) { return UI.el("th", { text: h }); }))]), UI.el("tbody", {}, rows)]);
  }
  function what(e) {
    var f = e.fields || {};
    return e.comm + " (" + e.pid + ") " + (f.path || f.binary || (f.address ? f.address + ":" + f.port : "") || f.args || "");
  }
  function wouldText(p) { return p.action === "kill" ? "would have killed" : "would have denied"; }
  function drawPolicies(r) {
    var rows = r.policies.map(function (p) {
      var last = p.recent[0];
      return UI.el("tr", { class: "policy " + p.mode, "data-rule": p.rule }, [
        cell(p.rule), cell(p.kinds.join(", ")), cell(p.mode), cell(p.would ? "would " + p.would : p.action, "action"),
        cell(p.alerts, "num count"), cell(p.matched + " / " + p.acted, "num"),
        cell(p.last_ns ? UI.time(p.last_ns) : "—"), cell(last ? what(last) : "", "details")]);
    });
    state.policies.replaceChildren(r.collector !== "running" && !r.policies.length ? UI.el("div", { class: "status", text: "No guard policy: the guard collector is " + r.collector + "." })
      : !r.policies.length ? UI.el("div", { class: "status", text: "The guard collector runs without a policy (options.policy): no rule can alert." })
      : table("sec-policy-table", ["rule", "events", "mode", "action", "alerts", "kernel matched / acted", "newest", "newest alert"], rows));
    var monitored = r.policies.filter(function (p) { return p.would; });
    state.monitor.replaceChildren.apply(state.monitor, monitored.length ? monitored.map(function (p) {
      return UI.el("div", { class: "would", "data-rule": p.rule }, [
        UI.el("div", { text: p.rule + ": " + wouldText(p) + " " + p.matched + " time" + (p.matched === 1 ? "" : "s") + " (monitor mode: it only counted)" }),
        UI.el("ul", {}, p.recent.map(function (e) { return UI.el("li", { class: "details", text: UI.time(e.time_ns) + "  " + e.kind + "  " + what(e) }); }))]);
    }) : [UI.el("div", { class: "status", text: "No monitor-mode rule with a deny or kill action." })]);
  }
  function drawFirewalls(r) {
    if (!r.firewalls.length) {
      state.firewalls.replaceChildren(UI.el("div", { class: "status", text: r.collector === "running"
        ? "No XDP firewall is loaded (swiftbpf firewall load)." : "The firewall collector is " + r.collector + "." }));
      return;
    }
    state.firewalls.replaceChildren.apply(state.firewalls, r.firewalls.map(function (f) {
      return UI.el("div", { class: "firewall", "data-interface": f.interface }, [
        UI.el("h3", { text: f.interface + (f.dry_run ? " (dry run: deny rules only count)" : "") + " · " + f.blocklist_entries + " blocklist prefixes" }),
        table("", ["rule", "action", "match", "packets", "bytes"], f.rules.map(function (x) {
          return UI.el("tr", { "data-rule": x.rule, "data-text": x.text }, [cell(x.rule), cell(x.action), cell(x.text),
            cell(x.packets, "num packets"), cell(UI.bytes(x.bytes), "num bytes")]);
        }))]);
    }));
  }
  function load() {
    Promise.all([UI.json("/api/v1/alerts"), UI.json("/api/v1/firewall")]).then(function (r) {
      drawPolicies(r[0]);
      drawFirewalls(r[1]);
      state.status.textContent = "updated " + UI.time(Date.now() * 1e6);
    }, function (err) { state.notice.replaceChildren(UI.errorBanner(err)); });
  }
  function mount(main) {
    state = { notice: UI.el("div"), status: UI.el("span", { class: "status", id: "sec-status" }),
              policies: UI.el("div", { class: "panel", id: "sec-policies" }), monitor: UI.el("div", { class: "panel", id: "sec-monitor" }),
              firewalls: UI.el("div", { class: "panel", id: "sec-firewalls" }) };
    main.append(UI.el("h2", { text: "Security and firewall" }), state.notice, UI.el("div", { class: "controls" }, [state.status]),
      UI.el("h3", { text: "Alerts by policy rule (newest first)" }), state.policies,
      UI.el("h3", { text: "What monitor-mode rules would have done" }), state.monitor,
      UI.el("h3", { text: "Firewall counters" }), state.firewalls);
    UI.collectors().then(function (c) {
      var banners = [UI.collectorState(c, "guard", "there are no policy alerts or monitor-mode verdicts to show"),
                     UI.collectorState(c, "firewall", "there are no firewall counters to show")].filter(Boolean);
      state.notice.replaceChildren.apply(state.notice, banners);
    }, function (err) { state.notice.replaceChildren(UI.errorBanner(err)); });
    load();
    state.timer = setInterval(load, 3000);
  }
  return { title: "Security", mount: mount, unmount: function () { if (state) { clearInterval(state.timer); } } };
})();
