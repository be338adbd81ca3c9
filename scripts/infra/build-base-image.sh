#!/usr/bin/env bash
# Builds switchyard-base:bookworm, the image every other Switchyard image starts from, with
# no image registry: debootstrap a Debian bookworm minbase (plus ca-certificates) from a
# Debian mirror into a temporary directory and `docker import` it. Skipped when the image
# exists (SWITCHYARD_REBUILD_BASE=1 rebuilds it). Needs root (debootstrap chroots).
#
#   scripts/infra/build-base-image.sh [image-name]
#   DEBIAN_MIRROR=http://deb.debian.org/debian (default)
set -euo pipefail

image="${1:-switchyard-base:bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

say() { echo "build-base-image: $*" >&2; }

if [ "${SWITCHYARD_REBUILD_BASE:-0}" != 1 ] && docker image inspect "$image" >/dev/null 2>&1; then
  say "$image exists, skipping (SWITCHYARD_REBUILD_BASE=1 rebuilds it)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  say "debootstrap needs root: run this as root (or with sudo)"
  exit 1
fi
command -v debootstrap >/dev/null || { say "debootstrap is not installed (apt-get install debootstrap)"; exit 1; }

started=$(date +%s)
rootfs="$(mktemp -d /tmp/switchyard-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT

say "debootstrap --variant=minbase bookworm from $mirror into $rootfs"
debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || {
  tail -20 "$rootfs.log" >&2
  rm -f "$rootfs.log"
  exit 1
}
rm -f "$rootfs.log"

# Updates and security fixes for what the images install on top.
cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security_mirror bookworm-security main
SOURCES
# Lean images: no recommended packages, no documentation, manuals or translations from
# later installs, no downloaded package files kept.
cat >"$rootfs/etc/apt/apt.conf.d/90switchyard" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/90switchyard-nodoc" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
DPKG
# Package scripts must not try to start services inside an image build.
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/cache/apt/*.bin \
  "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +

say "importing as $image"
tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' \
  --message "debootstrap --variant=minbase bookworm ($mirror)" \
  - "$image" >/dev/null
say "done: $(docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}') ($(($(date +%s) - started)) s)"
