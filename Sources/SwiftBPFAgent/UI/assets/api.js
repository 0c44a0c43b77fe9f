// The agent's API as the pages use it: requests with the bearer token (kept for the browser
// session only), the live stream read from a fetch body (EventSource cannot send the token),
// and the small DOM helpers the pages share.
"use strict";
var UI = window.UI = { pages: {} };

UI.token = function () { return sessionStorage.getItem("swiftbpf-token") || ""; };
UI.setToken = function (t) { sessionStorage.setItem("swiftbpf-token", t); };

UI.setConnection = function (ok, text) {
  var c = document.getElementById("conn");
  c.className = "conn " + (ok ? "ok" : "bad");
  c.textContent = text;
};

// fetch with the token; rejects with an Error whose .kind is "auth", "down" or "http".
UI.request = function (path, options) {
  options = options || {};
  var headers = options.headers || {};
  if (UI.token()) { headers.Authorization = "Bearer " + UI.token(); }
  options.headers = headers;
  return fetch(path, options).then(function (r) {
    if (r.status === 401) {
      document.getElementById("tokenbar").classList.remove("hidden");
      UI.setConnection(false, "token needed");
      var e = new Error("the agent refused the request: it needs its bearer token"); e.kind = "auth"; throw e;
    }
    if (!r.ok) {
      return r.text().then(function (t) { var e = new Error(path + ": HTTP " + r.status + " " + t); e.kind = "http"; throw e; });
    }
    UI.setConnection(true, "agent connected");
    return r;
  }, function (err) {
    if (err && err.name === "AbortError") { throw err; }
    UI.setConnection(false, "agent unavailable");
    var e = new Error("the agent is not reachable (" + (err && err.message) + ")"); e.kind = "down"; throw e;
  });
};
UI.json = function (path) { return UI.request(path).then(function (r) { return r.json(); }); };
UI.text = function (path) { return UI.request(path).then(function (r) { return r.text(); }); };

// Reads Server-Sent Events from `path`, calling onEvent(object) for each; reconnects after a
// failure (onState(false, reason)). Returns { close() }.
UI.stream = function (path, onEvent, onState) {
  var closed = false, controller = null, timer = null;
  function connect() {
    if (closed) { return; }
    controller = new AbortController();
    UI.request(path, { signal: controller.signal }).then(function (r) {
      onState(true, "live");
      var reader = r.body.getReader(), decoder = new TextDecoder(), buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) { throw new Error("the stream ended"); }
          buffer += decoder.decode(chunk.value, { stream: true });
          var cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            var block = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
            block.split("\n").forEach(function (line) {
              if (line.indexOf("data: ") === 0) {
                try { onEvent(JSON.parse(line.slice(6))); } catch (e) { /* a malformed line is skipped */ }
              }
            });
          }
          return pump();
        });
      }
      return pump();
    }).catch(function (err) {
      if (closed) { return; }
      onState(false, err.message);
      timer = setTimeout(connect, 2000);
    });
  }
  connect();
  return { close: function () { closed = true; if (timer) { clearTimeout(timer); } if (controller) { controller.abort(); } } };
};

// el("td", {class: "x"}, ["text", child]) — children are strings or nodes.
UI.el = function (tag, attrs, children) {
  var e = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) {
    if (k === "text") { e.textContent = attrs[k]; }
    else if (k.indexOf("on") === 0) { e.addEventListener(k.slice(2), attrs[k]); }
    else { e.setAttribute(k, attrs[k]); }
  });
  (children || []).forEach(function (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
  return e;
};

UI.banner = function (kind, text) { return UI.el("div", { class: "banner " + (kind || ""), text: text }); };
UI.errorBanner = function (err) { return UI.banner(err.kind === "auth" ? "" : "error", err.message); };

UI.time = function (ns) {
  var d = new Date(ns / 1e6);
  var p = function (n, w) { n = String(n); while (n.length < (w || 2)) { n = "0" + n; } return n; };
  return p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds()) + "." + p(d.getMilliseconds(), 3);
};

UI.bytes = function (n) {
  if (n < 1024) { return n + " B"; }
  var u = ["KiB", "MiB", "GiB", "TiB"], i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < u.length - 1);
  return n.toFixed(1) + " " + u[i];
};

// The collectors and their states, as a map name -> collector object.
UI.collectors = function () {
  return UI.json("/api/v1/collectors").then(function (c) {
    var m = {}; c.collectors.forEach(function (x) { m[x.name] = x; }); return m;
  });
};

// A banner saying a collector the page needs does not run (or null when it runs).
UI.collectorState = function (collectors, name, what) {
  var c = collectors[name];
  if (!c) { return UI.banner("", "Collector not running: '" + name + "' is not configured in this agent, so " + what + ". Add it under collectors: in the agent's configuration."); }
  if (c.state !== "running") { return UI.banner("error", "Collector '" + name + "' is " + c.state + (c.error ? ": " + c.error : "") + ", so " + what + "."); }
  return null;
};
