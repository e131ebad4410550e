#!/usr/bin/env bash
# Installs the Debian packages the app and its tests need, when missing.
#   fonts-noto-cjk, libharfbuzz-subset0: Chinese text in WeasyPrint PDFs
#   chromium: the browser tests (Playwright drives Debian's build)
#   poppler-utils: pdftotext/pdftoppm for checking reports
#   gettext: compiling the English translation
set -euo pipefail
packages=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 chromium poppler-utils gettext)
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
