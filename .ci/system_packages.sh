#!/usr/bin/env bash
# Debian packages the test suite uses when present: Chromium (tests/report/test_browser.py renders the
# report at phone and desktop widths) and a CJK font (tests/report/test_pdf.py checks the PDF's Chinese
# text). Installed only when missing and only as root; otherwise those tests say why they skip.
set -euo pipefail
need=()
[[ -x /usr/bin/chromium ]] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || need+=(fonts-wqy-microhei fontconfig)
if [[ ${#need[@]} == 0 ]]; then
    exit 0
fi
if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
    echo "[system_packages] not root or no apt-get: ${need[*]} not installed (browser / CJK PDF tests will skip)"
    exit 0
fi
echo "[system_packages] installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
