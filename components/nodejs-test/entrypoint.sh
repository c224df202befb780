#!/bin/sh
# Node.js test runner, speaking the original ContainerOps protocol: input in CO_DATA as
# space-separated key=value (git-url: a repository to clone; path: a directory of the workspace,
# default .), `npm ci`/`npm install` then `npm test`; results as `[COUT] KEY = value` lines,
# `[COUT] CO_RESULT = false` on failure.
set -u
git_url='' dir='.'
set -f # CO_DATA is split on spaces only, never expanded as file patterns
for pair in ${CO_DATA:-}; do
  case "$pair" in
    git-url=*) git_url="${pair#git-url=}" ;;
    path=*) dir="${pair#path=}" ;;
  esac
done
set +f
fail() {
  echo "[COUT] $1"
  echo "[COUT] CO_RESULT = false"
  exit 0 # as the original: the result line, not the exit code, says it failed
}
if [ -n "$git_url" ]; then
  src=$(mktemp -d)
  git clone --quiet -- "$git_url" "$src" || fail "cannot clone $git_url"
  dir="$src"
fi
[ -f "$dir/package.json" ] || fail "no package.json in $dir"
cd "$dir" || fail "cannot enter $dir"
echo "[COUT] CO_NODE_VERSION = $(node --version)"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund || fail 'npm ci failed'; fi
if [ ! -f package-lock.json ] && grep -q '"dependencies"\|"devDependencies"' package.json; then
  npm install --no-audit --no-fund || fail 'npm install failed'
fi
if npm test; then
  echo "[COUT] CO_TEST_PASSED = true"
  echo "[COUT] CO_RESULT = true"
else
  echo "[COUT] CO_TEST_PASSED = false"
  echo "[COUT] CO_RESULT = false"
fi
