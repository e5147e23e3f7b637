#!/usr/bin/env bash
# Installs, idempotently, what the compatibility suites need: Java ZooKeeper 3.8 and its clients from
# Debian, and kazoo from PyPI. Safe to run repeatedly; does nothing when everything is present.
set -euo pipefail

APT_PKGS=(zookeeper zookeeper-bin libzookeeper-java libcurator-client-java libcurator-framework-java libcurator-recipes-java libcurator-discovery-java golang-go golang-github-samuel-go-zookeeper-dev)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "apt-get install ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PIP_PKGS=("kazoo==2.11.0" "pyopenssl==24.2.1")
if ! python3 -c 'import kazoo, OpenSSL, sys; sys.exit(0 if kazoo.version.__version__ == "2.11.0" else 1)' 2>/dev/null; then
  echo "pip install ${PIP_PKGS[*]}"
  python3 -m pip install -q "${PIP_PKGS[@]}"
fi
