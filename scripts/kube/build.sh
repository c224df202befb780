#!/usr/bin/env bash
# Builds a real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler), a node's kubelet, kwok and helm from the Go module proxy into a cache outside
# the repository. A cold build takes 15-25 minutes on two idle cores; a warm one returns at once.
# The kubelet comes from the same k8s.io/kubernetes module in the same `go build`, so the packages
# it shares with the control plane are compiled once.
# Prints the bin directory on its last line.
set -euo pipefail

KUBE_VERSION="${CO_KUBE_VERSION:-v1.37.2}"
ETCD_VERSION="${CO_ETCD_VERSION:-v3.7.3}"
KWOK_VERSION="${CO_KWOK_VERSION:-v0.8.0}"
HELM_VERSION="${CO_HELM_VERSION:-v3.22.0}"
CACHE="${CO_KUBE_CACHE:-$HOME/.cache/containerops/k8s}/$KUBE_VERSION"
BIN="$CACHE/bin"
STAMP="$CACHE/versions"
WANT="kubernetes=$KUBE_VERSION etcd=$ETCD_VERSION kwok=$KWOK_VERSION helm=$HELM_VERSION"
KUBE_CMDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet)
TOOLS=(etcd "${KUBE_CMDS[@]}" kwok helm)

export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"
export GOFLAGS=-mod=mod
export CGO_ENABLED=0

have_all() {
  for t in "${TOOLS[@]}"; do [[ -x "$BIN/$t" ]] || return 1; done
}

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]] && have_all; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "go is required (Go 1.26+) to build the control plane" >&2; exit 1; }
mkdir -p "$BIN" "$CACHE/src"
# Binaries of other versions go; those of an interrupted build of these versions are kept.
if [[ -f "$STAMP" && "$(cat "$STAMP")" != "$WANT" ]]; then rm -f "$BIN"/*; fi
rm -f "$STAMP"
echo "building the Kubernetes control plane into $BIN (a cold build is long: 15-25 min on 2 cores)" >&2

# The staging modules (k8s.io/api, k8s.io/client-go, ...) are replaced by ./staging paths in
# k8s.io/kubernetes' own go.mod; a module that requires it must pin each to its published v0.X.Y.
# Arguments: the commands of k8s.io/kubernetes/cmd to build.
build_kubernetes() {
  local dir="$CACHE/src/kubernetes" staging="v0.${KUBE_VERSION#v1.}" cmds=("$@")
  mkdir -p "$dir"
  local gomod
  gomod="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  {
    echo "module containerops.local/kubernetes"
    echo
    echo "go 1.26"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#replace \1 => \1 '"$staging"'#p' "$gomod"
  } >"$dir/go.mod"
  (cd "$dir" && nice go build -trimpath -ldflags=-s -o "$BIN/" "${cmds[@]/#/k8s.io/kubernetes/cmd/}")
}

# etcd's server module has no main package of its own: etcdmain.Main is the whole binary.
build_etcd() {
  local dir="$CACHE/src/etcd"
  mkdir -p "$dir"
  cat >"$dir/go.mod" <<MOD
module containerops.local/etcd

go 1.26

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
MOD
  cat >"$dir/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (cd "$dir" && nice go build -trimpath -ldflags=-s -o "$BIN/etcd" .)
}

# `build.sh kubernetes` (or etcd, kwok, helm, kubelet) builds one part only, e.g. to run parts side by side.
ONLY="${*:-}"
want_part() { [[ -z "$ONLY" || " $ONLY " == *" $1 "* ]]; }
if want_part etcd; then [[ -x "$BIN/etcd" ]] || build_etcd; fi
if want_part kwok; then
  [[ -x "$BIN/kwok" ]] || GOBIN="$BIN" nice go install -trimpath -ldflags=-s "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
fi
if want_part helm; then
  [[ -x "$BIN/helm" ]] || GOBIN="$BIN" nice go install -trimpath -ldflags=-s "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi
# `kubernetes` builds the missing ones of KUBE_CMDS; `kubelet` the kubelet alone.
missing_cmds=()
for t in "${KUBE_CMDS[@]}"; do
  [[ -x "$BIN/$t" ]] && continue
  if want_part kubernetes || { [[ $t == kubelet ]] && want_part kubelet; }; then missing_cmds+=("$t"); fi
done
if ((${#missing_cmds[@]})); then build_kubernetes "${missing_cmds[@]}"; fi
if ! have_all; then
  [[ -n "$ONLY" ]] && exit 0
  echo "build incomplete" >&2
  exit 1
fi

echo "$WANT" >"$STAMP"
echo "$BIN"
