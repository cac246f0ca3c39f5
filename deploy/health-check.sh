#!/bin/sh
# The deploy units' use of /healthz and /readyz (config/health.py), against gunicorn on this host.
#   health-check.sh wait   — after gunicorn starts (ExecStartPost of nastavnik-web): up to 60 s for /healthz
#                            to answer 200, else the start fails and systemd restarts the service.
#   health-check.sh ready  — every minute (nastavnik-readyz.timer): /readyz must say "ok"; otherwise the body
#                            goes to the journal and the unit fails (systemctl --failed, OnFailure= alerting).
set -eu
bind="${GUNICORN_BIND:-127.0.0.1:8001}"
host="${BASE_DOMAIN:?BASE_DOMAIN is not set}"
case "${1:-}" in
  wait)
    for _ in $(seq 1 60); do
      if curl -fs -o /dev/null -H "Host: $host" "http://$bind/healthz"; then exit 0; fi
      sleep 1
    done
    echo "/healthz did not answer within 60 s" >&2; exit 1 ;;
  ready)
    body="$(curl -sS -m 10 -H "Host: $host" "http://$bind/readyz")" || { echo "/readyz: no answer" >&2; exit 1; }
    case "$body" in
      '{"status": "ok"'*) exit 0 ;;  # the overall status comes first in the body
      *) echo "/readyz: $body" >&2; exit 1 ;;
    esac ;;
  *) echo "usage: $0 wait|ready" >&2; exit 2 ;;
esac
