#!/usr/bin/env bash
# Validate the deploy recipe where the tools exist here: nginx -t and systemd-analyze verify.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
if command -v nginx >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=nastavnik.example.ru" \
    -keyout "$tmp/privkey.pem" -out "$tmp/fullchain.pem" 2>/dev/null
  sed "s#/etc/ssl/nastavnik#$tmp#g" "$here/nginx/nastavnik.conf" > "$tmp/site.conf"
  printf 'events {}\nhttp {\n include %s/site.conf;\n}\n' "$tmp" > "$tmp/nginx.conf"
  nginx -t -c "$tmp/nginx.conf"
else
  echo "nginx not installed: skipped nginx -t"
fi
if command -v systemd-analyze >/dev/null; then
  for unit in "$here"/systemd/*.service "$here"/systemd/*.timer; do
    # Point ExecStart at a binary that exists here; verify the rest of the unit as written.
    sed 's#/opt/nastavnik/.venv/bin/[a-z]*#/bin/true#; s#/opt/nastavnik/deploy/[a-z-]*\.sh#/bin/true#;
         s#^User=.*#User=root#; s#^Group=.*#Group=root#' "$unit" > "$tmp/$(basename "$unit")"
  done
  systemd-analyze verify "$tmp"/*.service "$tmp"/*.timer && echo "systemd units: ok"
  sh -n "$here/health-check.sh" && echo "health-check.sh: syntax ok"
fi
