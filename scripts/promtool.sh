#!/usr/bin/env bash
# Prints the path of a promtool binary: the installed one, or one unpacked from Debian's prometheus
# package into .tools/ (no service is installed or started).
set -euo pipefail
if command -v promtool >/dev/null 2>&1; then command -v promtool; exit 0; fi
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.tools/prometheus"
if [ ! -x "$dir/usr/bin/promtool" ]; then
  work="$(mktemp -d)"
  (cd "$work" && { apt-get download prometheus >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get download prometheus >/dev/null 2>&1; }; })
  mkdir -p "$dir"
  dpkg -x "$work"/prometheus_*.deb "$dir"
  rm -rf "$work"
fi
echo "$dir/usr/bin/promtool"
