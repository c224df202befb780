#!/bin/sh
# image-copy: skopeo copy between any two transports; credentials through auth files, never argv.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# bare references (host/repo:tag) are registry references
transport() {
  case "$1" in
    docker://* | oci:* | oci-archive:* | docker-archive:* | dir:* | containers-storage:*) printf '%s' "$1" ;;
    *) printf 'docker://%s' "$1" ;;
  esac
}

# writes a containers-auth.json for the registry of $1 with $2:$3; prints its path
authfile() {
  ref="${1#docker://}"
  host="${ref%%/*}"
  token=$(printf '%s:%s' "$2" "$3" | base64 | tr -d '\n')
  file="$tmp/auth-$4.json"
  printf '{"auths":{"%s":{"auth":"%s"}}}' "$host" "$token" > "$file"
  printf '%s' "$file"
}

src=$(transport "$INPUT_SOURCE")
dest=$(transport "$INPUT_DESTINATION")
set -- copy --digestfile "$tmp/digest" --retry-times 2
if [ "${INPUT_ALL:-true}" = true ]; then set -- "$@" --all; fi
if [ "${INPUT_TLS_VERIFY:-true}" != true ]; then set -- "$@" --src-tls-verify=false --dest-tls-verify=false; fi
if [ -n "${INPUT_SOURCE_USERNAME:-}" ]; then
  set -- "$@" --src-authfile "$(authfile "$src" "$INPUT_SOURCE_USERNAME" "${INPUT_SOURCE_PASSWORD:-}" src)"
fi
if [ -n "${INPUT_DESTINATION_USERNAME:-}" ]; then
  set -- "$@" --dest-authfile "$(authfile "$dest" "$INPUT_DESTINATION_USERNAME" "${INPUT_DESTINATION_PASSWORD:-}" dest)"
fi
# oci: layouts must exist before skopeo writes into them
case "$dest" in oci:*) d="${dest#oci:}"; mkdir -p -- "${d%%:*}" ;; esac

echo "copying $src -> $dest"
# after --, a reference is never read as an option
skopeo "$@" -- "$src" "$dest"
digest=$(cat "$tmp/digest")
echo "copied $digest"
echo "digest=$digest" >> "$CO_OUTPUTS"
