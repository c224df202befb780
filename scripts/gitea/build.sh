#!/usr/bin/env bash
# Builds a real Gitea (code.gitea.io/gitea) from the Go module proxy into a cache outside the
# repository, for the forge end-to-end tests. `go install` cannot build it (the module names
# itself gitea.dev and its go.mod has replace directives), so its source is copied out of the
# read-only module cache and built there as the main module: pure-Go sqlite, no cgo, no tags.
# Gitea reads templates/, options/ and public/ at run time; they stay beside the binary.
# A cold build takes 6-20 minutes on two busy cores; a warm one returns at once.
# Prints the binary's path on its last line.
set -euo pipefail

GITEA_VERSION="${CO_GITEA_VERSION:-v1.27.3}"
CACHE="${CO_GITEA_CACHE:-$HOME/.cache/containerops/gitea}/$GITEA_VERSION"
SRC="$CACHE/src"
BIN="$SRC/gitea"
STAMP="$CACHE/version"

export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"
export CGO_ENABLED=0

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$GITEA_VERSION" && -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "go is required (Go 1.26+) to build Gitea" >&2; exit 1; }
rm -f "$STAMP"
echo "building Gitea $GITEA_VERSION into $SRC (a cold build is long: 6-20 min on 2 cores)" >&2

dir="$(go mod download -json "code.gitea.io/gitea@$GITEA_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
[[ -d "$dir" ]] || { echo "the Go module proxy did not serve code.gitea.io/gitea@$GITEA_VERSION" >&2; exit 1; }
# The module cache is read-only; an interrupted copy is redone whole.
if [[ ! -f "$SRC/go.mod" ]]; then
  rm -rf "$SRC" && mkdir -p "$CACHE"
  cp -r "$dir" "$SRC.partial" && chmod -R u+w "$SRC.partial" && mv "$SRC.partial" "$SRC"
fi
(cd "$SRC" && nice -n 10 go build -trimpath \
  -ldflags="-s -X main.Version=${GITEA_VERSION#v}" -o "$BIN.partial" . && mv "$BIN.partial" "$BIN")

echo "$GITEA_VERSION" >"$STAMP"
echo "$BIN"
