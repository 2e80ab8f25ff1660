#!/usr/bin/env bash
# setup.sh installs what the lab needs on Debian or Ubuntu, and only what is
# missing: pkg-config and OpenCV's development files (for gocv), OpenCV's
# sample videos (the clip library), Chromium (for the browser tests),
# bubblewrap (the sandbox learners' own code is built and runs in) and
# PostgreSQL (the store's tests start a throwaway cluster of their own; the
# package's own cluster is left as Debian sets it up, and the lab never uses
# it).
# It is idempotent: a second run installs nothing and says so.
set -euo pipefail

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in pkg-config libopencv-dev opencv-doc chromium bubblewrap postgresql; do
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

# The Go version go.mod asks for, so the message matches what the build needs.
want=$(sed -n 's/^go \([0-9.]*\).*/\1/p' go.mod)
if ! command -v go >/dev/null; then
	echo "setup: Go is missing: install Go ${want} or newer from https://go.dev/dl/" >&2
	exit 1
fi
have=$(GOTOOLCHAIN=local go env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n1)" != "$want" ]; then
	echo "setup: Go $have is too old: go.mod needs Go ${want} or newer (https://go.dev/dl/)" >&2
	exit 1
fi
echo "setup: Go $have"
echo "setup: downloading the Go libraries the lab uses, and templ (the page compiler)"
go mod download
echo "setup: done"
