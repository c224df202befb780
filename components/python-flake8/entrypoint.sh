#!/bin/sh
# Python analysis with flake8, speaking the original ContainerOps protocol: input in CO_DATA as
# space-separated key=value (git-url: a repository to clone; path: a directory of the workspace,
# default .), results as `[COUT] KEY = value` lines, `[COUT] CO_RESULT = false` on failure.
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
[ -d "$dir" ] || fail "no directory $dir to analyse"
report=$(mktemp)
flake8 --exit-zero --format='%(path)s:%(row)d:%(col)d: %(code)s %(text)s' -- "$dir" > "$report"
count=$(wc -l < "$report" | tr -d ' ')
sed 's/^/[COUT] /' "$report"
echo "[COUT] CO_FLAKE8_COUNT = $count"
echo "[COUT] CO_FLAKE8_VERSION = $(flake8 --version | head -n 1 | cut -d' ' -f1)"
if [ "$count" -ne 0 ]; then echo "[COUT] CO_RESULT = false"; else echo "[COUT] CO_RESULT = true"; fi
