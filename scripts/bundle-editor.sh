#!/bin/sh
# Bundles the code editor (CodeMirror 6 with Go, web/editor/editor.js) into
# one minified ES module, web/static/vendor/codemirror/editor.js, which is
# committed like uPlot: neither the server nor its set-up needs node. Run it
# again only to change the editor or its packages' versions (pinned in
# web/editor/package.json and package-lock.json).
set -eu
cd "$(dirname "$0")/../web/editor"
echo "bundle-editor: installing the pinned packages with npm"
npm ci --no-audit --no-fund
mkdir -p ../static/vendor/codemirror
./node_modules/.bin/esbuild editor.js --bundle --format=esm --minify --legal-comments=eof \
	--target=es2020 --outfile=../static/vendor/codemirror/editor.js
# What the bundle holds, and each package's licence (all MIT).
out=../static/vendor/codemirror
: > "$out/VERSION"
: > "$out/LICENSE"
for dir in node_modules/@codemirror/* node_modules/@lezer/* node_modules/style-mod node_modules/crelt \
	node_modules/w3c-keyname node_modules/@marijn/find-cluster-break; do
	name=$(node -p "require('./$dir/package.json').name")
	version=$(node -p "require('./$dir/package.json').version")
	echo "$name $version" >> "$out/VERSION"
	lic=$(ls "$dir"/LICENSE* 2>/dev/null | head -n 1)
	if [ -n "$lic" ]; then
		printf '%s %s\n\n' "$name" "$version" >> "$out/LICENSE"
		cat "$lic" >> "$out/LICENSE"
		printf '\n\n' >> "$out/LICENSE"
	fi
done
echo "bundle-editor: wrote web/static/vendor/codemirror/editor.js"
