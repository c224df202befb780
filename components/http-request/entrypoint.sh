#!/bin/sh
# http-request: one request with curl; fails the step when the status is not expected.
set -eu
set -f # no input is ever a file pattern
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# http(s) only, redirects too: a file:// URL would read (or, with PUT, write) the host's files
set -- --proto =http,https --proto-redir =http,https \
  --silent --show-error --location --max-time "${INPUT_TIMEOUT_SECONDS:-30}" \
  --request "${INPUT_METHOD:-GET}" --output "$tmp/body" --write-out '%{http_code}'
if [ -n "${INPUT_HEADERS:-}" ]; then
  printf '%s\n' "$INPUT_HEADERS" > "$tmp/headers"
  set -- "$@" --header "@$tmp/headers"
fi
if [ -n "${INPUT_TOKEN:-}" ]; then
  # from a file, so the token never shows in the process list
  printf 'Authorization: Bearer %s\n' "$INPUT_TOKEN" > "$tmp/auth"
  set -- "$@" --header "@$tmp/auth"
fi
if [ -n "${INPUT_BODY:-}" ]; then
  printf '%s' "$INPUT_BODY" > "$tmp/request"
  set -- "$@" --header "Content-Type: ${INPUT_CONTENT_TYPE:-application/json}" --data-binary "@$tmp/request"
fi

echo "${INPUT_METHOD:-GET} $INPUT_URL"
# --url takes the next argument as the URL whatever it starts with: never an option
status=$(curl "$@" --url "$INPUT_URL")
echo "status $status"

delim="CO_BODY_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
{
  echo "status=$status"
  echo "body<<$delim"
  head -c 61440 "$tmp/body"
  echo
  echo "$delim"
} >> "$CO_OUTPUTS"

expect="${INPUT_EXPECT_STATUS:-2xx}"
ok=false
for want in $(echo "$expect" | tr ',' ' '); do
  case "$want" in
    [1-5]xx) [ "${status%??}" = "${want%xx}" ] && ok=true ;;
    *) [ "$status" = "$want" ] && ok=true ;;
  esac
done
if [ "$ok" != true ]; then
  echo "expected status $expect, got $status" >&2
  head -c 2048 "$tmp/body" >&2 || true
  exit 1
fi
