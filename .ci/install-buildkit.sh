#!/usr/bin/env bash
# Installs a BuildKit-capable Docker engine beside the system's own, without touching the system's
# packages: Debian trixie's docker.io (dockerd 26 with its embedded BuildKit), docker-cli, containerd,
# tini, docker-buildx and busybox-static (a shell for the test base image) are downloaded with apt through
# a private sources list and state directory, then unpacked with dpkg-deb into a private root. runc stays
# the system's (bookworm's docker.io brings it): trixie's needs a newer glibc. Idempotent: a root that
# already has every binary is kept.
#
#   .ci/install-buildkit.sh [ROOT]     (default: /opt/ecr-push-buildkit)
#
# Prints the root on its last line. The e2e helpers start the daemon from it (see
# __tests__/e2e/support/buildkit.mjs); BUILDKIT_ROOT tells them where it is.
set -euo pipefail

root="${1:-${BUILDKIT_ROOT:-/opt/ecr-push-buildkit}}"
need=(usr/sbin/dockerd usr/bin/containerd usr/bin/docker usr/libexec/docker/cli-plugins/docker-buildx usr/bin/busybox)

complete() {
  local file
  for file in "${need[@]}"; do [[ -x "$root/$file" ]] || return 1; done
}

if complete; then
  echo "BuildKit engine already unpacked in $root" >&2
  echo "$root"
  exit 0
fi

apt_dir="$(mktemp -d /tmp/buildkit-apt.XXXXXX)"
trap 'rm -rf "$apt_dir"' EXIT
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/debs"

# The mirror the system already uses, so no new host is named here.
mirror="$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
  grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n 1 | tr -d ' ' || true)"
mirror="${mirror:-http://deb.debian.org/debian}"
cat >"$apt_dir/sources.list" <<EOF
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror%/} trixie main
EOF

apt_opts=(
  -o "Dir::Etc::sourcelist=$apt_dir/sources.list"
  -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache::archives=$apt_dir/archives"
  -o "Dir::State::status=/dev/null"
  -o "APT::Get::List-Cleanup=0"
  -o "Debug::NoLocking=1"
)
timeout 300 apt-get "${apt_opts[@]}" -q update </dev/null >&2
(cd "$apt_dir/debs" && timeout 600 apt-get "${apt_opts[@]}" -q download \
  docker.io docker-cli containerd tini docker-buildx busybox-static </dev/null >&2)

mkdir -p "$root"
for deb in "$apt_dir"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done

if ! complete; then
  echo "BuildKit engine incomplete in $root; missing:" >&2
  for file in "${need[@]}"; do [[ -x "$root/$file" ]] || echo "  $file" >&2; done
  exit 1
fi
echo "BuildKit engine unpacked in $root" >&2
echo "$root"
