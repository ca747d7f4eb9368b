#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine (run as root): the Debian
# packages strata and its tests use, the npm dependencies, the native addon and
# the CLI bundle. Each step is skipped when it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# crun/runc run containers, conmon supervises them, docker-registry serves the
# test images, busybox-static and debootstrap build them, isal/pigz/zstd are
# the fast (de)compressors and libisal-dev lets the addon inflate gzip with ISA-L
# in-process, attr and socat help tests inspect results, apache2-utils
# has htpasswd for the Basic-auth test registry; chromium renders `image tree --format html`
# in its test; golang-github-containers-common ships the default seccomp profile
# (/usr/share/containers/seccomp.json, the one Podman uses) and tini is `run --init`. netavark and
# aardvark-dns (Podman's) plumb bridge networks and answer names on user networks; iptables is what
# netavark drives; socat serves published ports on IPv6 (the kernel's DNAT serves IPv4).
packages=(docker-registry skopeo umoci crun runc conmon busybox-static debootstrap isal libisal-dev pigz zstd attr socat
  iproute2 tmux apache2-utils chromium golang-github-containers-common tini netavark aardvark-dns iptables)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  # Several set-ups may run at once (helpers, CI): wait for dpkg's lock instead of failing.
  apt-get update -qq -o DPkg::Lock::Timeout=600
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends \
    "${missing[@]}" >/dev/null 2>&1
fi

# npm install (not `npm ci`: npm 11 writes lock files without the other
# platforms' optional biome binaries and then refuses them in `npm ci`), only
# when the lock file changed since the last install.
stamp=node_modules/.strata-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: npm install" >&2
  npm install --no-audit --no-fund --loglevel=error >/dev/null
  cp package-lock.json "$stamp"
fi

addon=native/build/Release/strata_native.node
if [ ! -f "$addon" ] || [ -n "$(find native -maxdepth 1 -newer "$addon" \( -name '*.cc' -o -name '*.h' -o -name binding.gyp \))" ]; then
  echo "setup: building the native addon" >&2
  # Quiet unless it fails: node-gyp narrates every step on stderr.
  if ! log=$(npx --no-install node-gyp rebuild --directory native 2>&1); then
    printf '%s\n' "$log" >&2
    exit 1
  fi
fi

node scripts/bundle.mjs
