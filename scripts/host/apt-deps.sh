#!/usr/bin/env bash
# Debian packages the real-host tests need: Chromium (driven by playwright-core) and the
# Kerberos headers code-server's native module builds against. Skips what is already there.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
