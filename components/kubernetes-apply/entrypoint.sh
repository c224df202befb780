#!/bin/sh
# kubernetes-apply outside the platform (the platform runs it in the worker with its own client).
set -eu
case "$INPUT_MANIFESTS" in
  http://* | https://*) src="$INPUT_MANIFESTS" ;;
  *"
"* | apiVersion:*) printf '%s\n' "$INPUT_MANIFESTS" > /tmp/manifests.yaml; src=/tmp/manifests.yaml ;;
  *) src="$INPUT_MANIFESTS" ;;
esac
ns="${INPUT_NAMESPACE:-default}"
if [ "${INPUT_MODE:-apply}" = replace ]; then
  kubectl -n "$ns" delete -f "$src" --ignore-not-found --wait
  kubectl -n "$ns" create -f "$src" -o name | tee /tmp/applied
else
  kubectl -n "$ns" apply --server-side --field-manager=containerops --force-conflicts -f "$src" -o name | tee /tmp/applied
fi
echo "applied=$(paste -sd, /tmp/applied)" >> "$CO_OUTPUTS"
echo "count=$(wc -l < /tmp/applied | tr -d ' ')" >> "$CO_OUTPUTS"
