/// The API's OpenAPI 3.1 description, served at `/api/v1/openapi.json`.
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {"title": "swiftbpf-agent API", "version": "1.0.0",
        "description": "Host agent of SwiftBPF: collectors, events, metrics. Off loopback every request needs Authorization: Bearer <token>."},
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
          "Event": {"type": "object", "required": ["time_ns", "kind", "collector", "pid", "comm"], "properties": {
            "time_ns": {"type": "integer", "description": "Unix time in nanoseconds"},
            "kind": {"type": "string", "enum": ["exec", "exit", "open", "tcp_connect", "tcp_accept", "tcp_close", "tcp_retrans"]},
            "collector": {"type": "string"}, "pid": {"type": "integer"}, "ppid": {"type": "integer"}, "uid": {"type": "integer"},
            "comm": {"type": "string"}, "cgroup_id": {"type": "integer"}, "cgroup": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}}}},
          "Error": {"type": "object", "properties": {"error": {"type": "string"}}}
        },
        "parameters": {
          "since": {"name": "since", "in": "query", "schema": {"type": "string"}, "description": "Unix nanoseconds, or seconds with a fraction (inclusive)"},
          "until": {"name": "until", "in": "query", "schema": {"type": "string"}, "description": "Unix nanoseconds, or seconds (exclusive)"},
          "kind": {"name": "kind", "in": "query", "schema": {"type": "string"}},
          "pid": {"name": "pid", "in": "query", "schema": {"type": "integer"}},
          "comm": {"name": "comm", "in": "query", "schema": {"type": "string"}},
          "cgroup_id": {"name": "cgroup_id", "in": "query", "schema": {"type": "integer"}},
          "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 100}}
        },
        "responses": {
          "Unauthorized": {"description": "No or wrong bearer token (logged)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "BadRequest": {"description": "A query parameter is malformed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      },
      "security": [{"bearer": []}, {}],
      "paths": {
        "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "The agent runs", "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string"}}}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/metrics": {"get": {"summary": "Prometheus text exposition", "responses": {"200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/status": {"get": {"summary": "Agent status: resources, store, OTLP, user metrics", "responses": {"200": {"description": "Status", "content": {"application/json": {"schema": {"type": "object"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/collectors": {"get": {"summary": "Collectors, their state, losses and BPF programs (ids, run statistics)", "responses": {"200": {"description": "Collectors", "content": {"application/json": {"schema": {"type": "object", "properties": {"collectors": {"type": "array", "items": {"type": "object", "properties": {
          "name": {"type": "string"}, "state": {"type": "string", "enum": ["running", "shed", "failed", "stopped"]}, "error": {"type": ["string", "null"]},
          "priority": {"type": "integer"}, "sample": {"type": "integer"}, "lost_events": {"type": "integer"},
          "programs": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "id": {"type": "integer"}, "run_count": {"type": "integer"}, "run_time_ns": {"type": "integer"}}}}}}}}}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/governor": {"get": {"summary": "Overhead budget, shed collectors and the governor's decisions", "responses": {"200": {"description": "Governor", "content": {"application/json": {"schema": {"type": "object"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/events": {"get": {"summary": "Events by time range and filters, newest first (from the store, else the latest in memory)",
          "parameters": [{"$ref": "#/components/parameters/since"}, {"$ref": "#/components/parameters/until"}, {"$ref": "#/components/parameters/kind"}, {"$ref": "#/components/parameters/pid"}, {"$ref": "#/components/parameters/comm"}, {"$ref": "#/components/parameters/cgroup_id"}, {"$ref": "#/components/parameters/limit"}],
          "responses": {"200": {"description": "Events", "content": {"application/json": {"schema": {"type": "object", "properties": {"events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "503": {"description": "The store cannot be read"}}}},
        "/api/v1/events/stream": {"get": {"summary": "Live events as Server-Sent Events (event: <kind>, data: <Event JSON>)",
          "parameters": [{"$ref": "#/components/parameters/kind"}, {"$ref": "#/components/parameters/pid"}, {"$ref": "#/components/parameters/comm"}, {"$ref": "#/components/parameters/cgroup_id"}],
          "responses": {"200": {"description": "An endless event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/profile": {"get": {"summary": "The continuous profile (profile collector) of a time range: folded text, a flame graph SVG (optionally differential against a baseline range), or pprof",
          "parameters": [{"$ref": "#/components/parameters/since"}, {"$ref": "#/components/parameters/until"}, {"$ref": "#/components/parameters/pid"}, {"$ref": "#/components/parameters/comm"},
            {"name": "tid", "in": "query", "schema": {"type": "integer"}, "description": "Only the samples of this thread id"},
            {"name": "thread", "in": "query", "schema": {"type": "integer"}, "description": "The same as tid"},
            {"name": "container", "in": "query", "schema": {"type": "string"}, "description": "Only the samples of this container (its id, or a prefix such as the 12 characters docker ps shows)"},
            {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["folded", "svg", "pprof"], "default": "folded"}},
            {"name": "base_since", "in": "query", "schema": {"type": "string"}, "description": "Baseline range start for a differential SVG"},
            {"name": "base_until", "in": "query", "schema": {"type": "string"}, "description": "Baseline range end for a differential SVG"}],
          "responses": {"200": {"description": "The profile", "content": {"text/plain": {"schema": {"type": "string"}}, "image/svg+xml": {"schema": {"type": "string"}}, "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/flows": {"get": {"summary": "Connections of a window (flows collector): those tracked now (kind flow, with state) and those closed in it (flow_close), with bytes, rtt_us, retransmits",
          "parameters": [{"$ref": "#/components/parameters/since"}, {"$ref": "#/components/parameters/until"}, {"$ref": "#/components/parameters/pid"}, {"$ref": "#/components/parameters/comm"}, {"$ref": "#/components/parameters/limit"}],
          "responses": {"200": {"description": "Connections", "content": {"application/json": {"schema": {"type": "object", "properties": {"flows": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "503": {"description": "The store cannot be read"}}}},
        "/api/v1/alerts": {"get": {"summary": "The guard policy's rules with their alerts since the collector started (count, newest, the last few), the kernel's matched/acted counters and, for monitor-mode deny/kill rules, what they would have done",
          "responses": {"200": {"description": "Alerts by rule, newest first", "content": {"application/json": {"schema": {"type": "object", "properties": {"collector": {"type": "string"}, "policies": {"type": "array", "items": {"type": "object", "properties": {
            "rule": {"type": "string"}, "kinds": {"type": "array", "items": {"type": "string"}}, "action": {"type": "string"}, "mode": {"type": "string", "enum": ["monitor", "enforce"]},
            "would": {"type": ["string", "null"]}, "alerts": {"type": "integer"}, "last_ns": {"type": "integer"}, "matched": {"type": "integer"}, "acted": {"type": "integer"},
            "recent": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}}}}}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/firewall": {"get": {"summary": "The XDP firewalls the firewall collector reads, with each rule's packet and byte counters as last read",
          "responses": {"200": {"description": "Firewalls", "content": {"application/json": {"schema": {"type": "object", "properties": {"collector": {"type": "string"}, "firewalls": {"type": "array", "items": {"type": "object", "properties": {
            "interface": {"type": "string"}, "dry_run": {"type": "boolean"}, "blocklist_entries": {"type": "integer"}, "read_ns": {"type": "integer"},
            "rules": {"type": "array", "items": {"type": "object", "properties": {"rule": {"type": "string"}, "action": {"type": "string"}, "text": {"type": "string"}, "packets": {"type": "integer"}, "bytes": {"type": "integer"}}}}}}}}}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/ui/": {"get": {"summary": "The web UI (embedded HTML, CSS and JavaScript; served without the token, the pages send it)", "security": [{}], "responses": {"200": {"description": "The UI", "content": {"text/html": {"schema": {"type": "string"}}}}}}},
        "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
      }
    }
    """#
}
