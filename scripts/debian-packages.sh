#!/usr/bin/env bash
# Installs the Debian packages that are missing for running the app (`run`, the default)
# or for its tests (`test`).
#   run:  fonts-noto-cjk, libharfbuzz-subset0, pango: Chinese text in WeasyPrint PDFs
#         gettext: compiling the English translation
#   test: chromium: the browser tests (Playwright drives Debian's build)
#         poppler-utils: pdftotext/pdftoppm for checking reports
#         iproute2: `ip netns` for the test with two app hosts (it runs as root)
set -euo pipefail
case "${1:-run}" in
    run) packages=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext) ;;
    test) packages=(chromium poppler-utils iproute2) ;;
    *) echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
