#!/usr/bin/env bash
# The browser tests (tests/browser/) drive the system Chromium from the OS packages, never a browser build
# downloaded by Playwright. Called by `make install`: installs the Debian package `chromium` when
# /usr/bin/chromium is missing and we may (root, or sudo without a password). Otherwise it says so and
# carries on: locally the browser tests then skip with that reason; in CI (CI=true) they fail.
set -u
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0

explain() {
	echo "Браузерные тесты: нет $CHROMIUM ($1). Установите его: apt-get install chromium" >&2
	echo "Browser tests: $CHROMIUM is missing ($1). Install it: apt-get install chromium" >&2
	echo "Без него tests/browser/ пропускаются локально и падают в CI. / Without it tests/browser/ skip locally and fail in CI." >&2
	exit 0
}

command -v apt-get >/dev/null 2>&1 || explain "no apt-get on this system"
if [ "$(id -u)" = 0 ]; then
	AS=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	AS=(sudo -n)
else
	explain "not root and no password-less sudo"
fi

echo "Installing the system Chromium for the browser tests (apt-get install chromium)…"
export DEBIAN_FRONTEND=noninteractive
install() { "${AS[@]}" apt-get install -y -q --no-install-recommends chromium >/dev/null; }
# A fresh machine may have no package lists yet: update them once and try again.
install || { "${AS[@]}" apt-get update -q >/dev/null && install; } || explain "apt-get install chromium failed"
[ -x "$CHROMIUM" ] || explain "the package did not provide it"
"$CHROMIUM" --version 2>/dev/null
