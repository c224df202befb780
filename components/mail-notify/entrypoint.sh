#!/bin/sh
# mail-notify: one RFC 5322 message sent with curl's SMTP client.
set -eu
set -f # 'to' is split on commas, never expanded as a file pattern
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# a header value on one line: CR and LF would let a value inject headers
oneline() { printf '%s' "$1" | tr '\r\n' '  '; }

# SMTP only: a file:// URL would write the message into any file of the host
set -- --proto =smtp,smtps --silent --show-error --max-time 60 --url "$INPUT_SMTP_URL" --mail-from "$(oneline "$INPUT_FROM")"
count=0
for rcpt in $(printf '%s' "$INPUT_TO" | tr ',' ' '); do
  set -- "$@" --mail-rcpt "$rcpt"
  count=$((count + 1))
done
if [ "$count" -eq 0 ]; then echo "mail-notify: no recipient in 'to'" >&2; exit 1; fi
if [ -n "${INPUT_USERNAME:-}" ]; then
  # credentials from a netrc file, never on the command line
  host=$(printf '%s' "$INPUT_SMTP_URL" | sed -e 's|^[a-z]*://||' -e 's|[:/].*$||')
  printf 'machine %s login %s password %s\n' "$host" "$INPUT_USERNAME" "${INPUT_PASSWORD:-}" > "$tmp/netrc"
  set -- "$@" --netrc-file "$tmp/netrc"
fi
if [ "${INPUT_STARTTLS:-false}" = true ]; then set -- "$@" --ssl-reqd; fi

{
  printf 'From: %s\r\n' "$(oneline "$INPUT_FROM")"
  printf 'To: %s\r\n' "$(oneline "$INPUT_TO")"
  printf 'Subject: %s\r\n' "$(oneline "${INPUT_SUBJECT:-ContainerOps notification}")"
  printf 'Date: %s\r\n' "$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S +0000')"
  printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
  printf '%s\n' "${INPUT_BODY:-}" | sed 's/$/\r/'
} > "$tmp/message"

curl "$@" --upload-file "$tmp/message"
echo "mail sent to $count recipient(s) through $INPUT_SMTP_URL"
echo "recipients=$count" >> "$CO_OUTPUTS"
