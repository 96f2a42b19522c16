#!/usr/bin/env bash
# `make benchmark` loads pages with wrk when it is installed (else a slower Python client that measures
# less precisely). A fresh machine lacks it: install it from the distribution when we may.
set -u
command -v wrk >/dev/null 2>&1 && exit 0
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q wrk >/dev/null 2>&1; }
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n apt-get install -y -q wrk >/dev/null 2>&1 || { sudo -n apt-get update -q >/dev/null 2>&1 && sudo -n apt-get install -y -q wrk >/dev/null 2>&1; }
    fi
elif command -v brew >/dev/null 2>&1; then
    brew install wrk >/dev/null 2>&1
fi
command -v wrk >/dev/null 2>&1 || echo "wrk could not be installed (apt-get install wrk); the benchmark uses its Python load client." >&2
exit 0
