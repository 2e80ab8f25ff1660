#!/usr/bin/env bash
# setup.sh installs what the lab needs on Debian or Ubuntu, and only what is
# missing: pkg-config and OpenCV's development files (for gocv), OpenCV's
# sample videos (the clip library), and Chromium (for the browser tests).
# It is idempotent: a second run installs nothing and says so.
set -euo pipefail

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in pkg-config libopencv-dev opencv-doc chromium; do
	if have_pkg "$p"; then
		echo "setup: $p is installed"
	else
		need+=("$p")
	fi
done

if ((${#need[@]})); then
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
	echo "setup: installing ${need[*]} with apt-get (about a minute)"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	echo "setup: installed ${need[*]}"
fi

if ! command -v go >/dev/null; then
	echo "setup: Go is missing: install Go 1.24 or newer from https://go.dev/dl/" >&2
	exit 1
fi
echo "setup: downloading Go modules (templ and the other tools are module tools)"
go mod download
echo "setup: done"
