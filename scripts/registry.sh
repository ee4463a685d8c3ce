#!/bin/sh
# Ensures the CNCF distribution server (Debian's docker-registry) the registry tests start is installed.
# Idempotent: does nothing when /usr/bin/docker-registry exists.
set -eu
if [ -x /usr/bin/docker-registry ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends docker-registry
# The package enables a system service on :5000; the tests run their own instances.
$SUDO systemctl disable --now docker-registry >/dev/null 2>&1 || true
/usr/bin/docker-registry --version
