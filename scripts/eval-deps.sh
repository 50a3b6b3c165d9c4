#!/usr/bin/env bash
# Debian packages `npm run eval` reads corpora from (not needed by the tests): GNOME's help, the
# help-center sets eval/gnome-help*.json (Mallard pages under /usr/share/help). Skips what is there.
set -euo pipefail
if dpkg -s gnome-user-docs >/dev/null 2>&1; then exit 0; fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gnome-user-docs >/dev/null
