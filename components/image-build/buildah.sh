#!/bin/sh
# image-build on the worker's host: buildah bud (chroot isolation, no daemon), then buildah push.
# Registry credentials come from an oci-registry service the step lists whose url has the
# destination's host; they reach buildah in an authfile, never on its command line.
set -eu
tmp=$(mktemp -d)
chmod 700 "$tmp"
dest="${INPUT_DESTINATION#docker://}"
trap 'buildah rmi "$dest" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

registry="${dest%%/*}"
for name in $(env | sed -n 's/^CO_SERVICE_\([A-Z0-9_]*\)_URL=.*/\1/p'); do
  eval "url=\${CO_SERVICE_${name}_URL}"
  host="${url#*://}"
  host="${host%%/*}"
  [ "$host" = "$registry" ] || continue
  eval "secret=\${CO_SERVICE_${name}_TOKEN:-\${CO_SERVICE_${name}_PASSWORD:-}}"
  eval "user=\${CO_SERVICE_${name}_USERNAME:-containerops}"
  auth=$(printf '%s:%s' "$user" "$secret" | base64 | tr -d '\n')
  printf '{"auths":{"%s":{"auth":"%s"}}}' "$registry" "$auth" > "$tmp/auth.json"
  echo "credentials for $registry from service $name"
done
# registry options of bud (pulls of FROM images) and push; $tmp (mktemp's) holds no space
common="--tls-verify=${INPUT_TLS_VERIFY:-true}"
if [ -f "$tmp/auth.json" ]; then common="$common --authfile $tmp/auth.json"; fi

context="$CO_WORKSPACE/${INPUT_CONTEXT:-.}"
set -- -f "$context/${INPUT_DOCKERFILE:-Dockerfile}" -t "$dest"
set -f # build-args are split on spaces, never expanded as file patterns
for arg in ${INPUT_BUILD_ARGS:-}; do set -- "$@" --build-arg "$arg"; done
echo "building $dest from $context"
# shellcheck disable=SC2086
buildah bud $common --isolation chroot --layers=false "$@" "$context"
echo "pushing $dest"
# shellcheck disable=SC2086
buildah push $common --digestfile "$tmp/digest" "$dest" "docker://$dest"
digest=$(cat "$tmp/digest")
echo "pushed $dest as $digest"
echo "digest=$digest" >> "$CO_OUTPUTS"
echo "image=$dest" >> "$CO_OUTPUTS"
