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
cp node_modules/@codemirror/view/LICENSE ../static/vendor/codemirror/LICENSE
echo "bundle-editor: wrote web/static/vendor/codemirror/editor.js"
