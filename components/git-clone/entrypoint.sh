#!/bin/sh
# git-clone: fetch one ref of a repository into $INPUT_PATH (works in a non-empty workspace).
set -eu
dest="${INPUT_PATH:-.}"
ref="${INPUT_REF:-}"
depth="${INPUT_DEPTH:-1}"

mkdir -p "$dest"
cd "$dest"
git init -q
git config advice.detachedHead false
if git remote get-url origin >/dev/null 2>&1; then
  git remote set-url origin "$INPUT_URL"
else
  git remote add origin "$INPUT_URL"
fi

set --
if [ -n "${INPUT_TOKEN:-}" ]; then
  auth=$(printf 'x-access-token:%s' "$INPUT_TOKEN" | base64 | tr -d '\n')
  set -- -c "http.extraHeader=Authorization: Basic $auth"
fi
depth_arg=""
if [ "$depth" -gt 0 ]; then depth_arg="--depth=$depth"; fi

echo "fetching ${ref:-the default branch} of $INPUT_URL"
# shellcheck disable=SC2086
git "$@" fetch -q $depth_arg origin "${ref:-HEAD}"
git checkout -q --force FETCH_HEAD

commit=$(git rev-parse HEAD)
echo "checked out $commit"
echo "commit=$commit" >> "$CO_OUTPUTS"
echo "ref=${ref:-HEAD}" >> "$CO_OUTPUTS"
