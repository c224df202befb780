#!/bin/sh
# kubernetes-deploy outside the platform: apply, wait, undo on failure.
set -eu
printf '%s\n' "$INPUT_MANIFESTS" > /tmp/manifests.yaml
ns="${INPUT_NAMESPACE:-default}"
kubectl -n "$ns" apply --server-side --field-manager=containerops --force-conflicts -f /tmp/manifests.yaml -o name | tee /tmp/applied
for obj in $(grep -E '^(deployment|statefulset|daemonset)' /tmp/applied); do
  if ! kubectl -n "$ns" rollout status "$obj" --timeout="${INPUT_TIMEOUT:-10m}"; then
    case "$obj" in deployment*) kubectl -n "$ns" rollout undo "$obj" ;; esac
    exit 1
  fi
done
echo "applied=$(paste -sd, /tmp/applied)" >> "$CO_OUTPUTS"
