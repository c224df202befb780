#!/bin/sh
# git-clone: fetch one ref of a repository into $INPUT_PATH (works in a non-empty workspace).
set -eu
dest="${INPUT_PATH:-.}"
ref="${INPUT_REF:-}"
depth="${INPUT_DEPTH:-1}"
url="$INPUT_URL"

# Inputs come from params a developer sets: one that starts with '-' would be read by git as an
# option (`--upload-pack=<command>` runs a command), so each is refused before git runs.
refuse() {
  echo "git-clone: input $1 must not start with '-'; got: $2" >&2
  exit 64
}
case "$url" in -*) refuse url "$url" ;; esac
case "$ref" in -*) refuse ref "$ref" ;; esac
case "$dest" in -*) refuse path "$dest" ;; esac
case "$depth" in '' | *[!0-9]*) echo "git-clone: input depth must be a whole number; got: $depth" >&2; exit 64 ;; esac

# the transports a URL may use (this overrides any protocol.allow configuration): never ext::,
# which runs a command, nor any other remote helper
export GIT_ALLOW_PROTOCOL=https:http:ssh:git:file

mkdir -p -- "$dest"
cd -- "$dest"
git init -q
git config advice.detachedHead false
if git remote get-url origin >/dev/null 2>&1; then
  git remote set-url origin -- "$url"
else
  git remote add origin -- "$url"
fi

if [ -n "${INPUT_TOKEN:-}" ]; then
  # through the environment, so the token never shows in the process list
  auth=$(printf 'x-access-token:%s' "$INPUT_TOKEN" | base64 | tr -d '\n')
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader
  export GIT_CONFIG_VALUE_0="Authorization: Basic $auth"
fi

echo "fetching ${ref:-the default branch} of $url"
if [ "$depth" -gt 0 ]; then
  git fetch -q --depth="$depth" origin -- "${ref:-HEAD}"
else
  git fetch -q origin -- "${ref:-HEAD}"
fi
git checkout -q --force FETCH_HEAD

commit=$(git rev-parse HEAD)
echo "checked out $commit"
echo "commit=$commit" >> "$CO_OUTPUTS"
echo "ref=${ref:-HEAD}" >> "$CO_OUTPUTS"
