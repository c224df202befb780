#!/bin/sh
# webhook-notify: POST {"run","step","status","message"} as JSON; any 2xx answer succeeds.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# JSON string: backslash, quote and control characters escaped, newlines as \n
json() {
  printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' -e 's/\r/\\r/g' |
    awk 'BEGIN { ORS = "" } NR > 1 { print "\\n" } { print }'
}

printf '{"run":"%s","step":"%s","status":"%s","message":"%s"}' \
  "$(json "${CO_RUN_ID:-}")" "$(json "${CO_STEP_ID:-}")" "$(json "${INPUT_STATUS:-}")" \
  "$(json "${INPUT_MESSAGE:-}")" > "$tmp/payload"

# http(s) only: a file:// URL would read the host's files
set -- --proto =http,https --silent --show-error --max-time 30 --output "$tmp/answer" --write-out '%{http_code}' \
  --header 'Content-Type: application/json' --data-binary "@$tmp/payload"
if [ -n "${INPUT_TOKEN:-}" ]; then
  printf 'Authorization: Bearer %s\n' "$INPUT_TOKEN" > "$tmp/auth"
  set -- "$@" --header "@$tmp/auth"
fi

# --url takes the next argument as the URL whatever it starts with: never an option
status=$(curl "$@" --url "$INPUT_URL")
echo "notified $INPUT_URL: HTTP $status"
echo "status=$status" >> "$CO_OUTPUTS"
case "$status" in
  2??) ;;
  *) head -c 2048 "$tmp/answer" >&2 || true; exit 1 ;;
esac
