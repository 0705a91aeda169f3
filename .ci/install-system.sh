#!/usr/bin/env bash
# Installs podman and Debian's docker-registry for the registry/builder integration tests
# (issue 4 item 5), and Debian's PostgreSQL 15 server for the example chart's seed test (issue 20
# part 5; the test runs its own throwaway server as nobody on a loopback port, never the
# packaged cluster), and Debian's chromium for the Playwright smoke example (issue 20 part 1;
# ~1 min to install, the test itself ~15 s), and rsync, which gitlab-ci-local copies the checkout with (issue 21's
# GitLab pipeline tests). Idempotent, non-interactive, root on Debian 12.
# docker-registry's postinst enables and starts a system service on :5000; the tests start their
# own registry on a free loopback port, so the service is stopped and disabled here.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PKGS=(podman docker-registry uidmap fuse-overlayfs slirp4netns crun containernetworking-plugins postgresql-15 chromium rsync)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  # policy-rc.d exit 101 = "do not start services" (invoke-rc.d honours it), so the postinst
  # leaves no daemon behind even on machines with a working init.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created_policy=1
  fi
  trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null)" ]; then
    apt-get update -qq
  fi
  apt-get install -y --no-install-recommends "${missing[@]}" || { apt-get update -qq && apt-get install -y --no-install-recommends "${missing[@]}"; }
fi
# In case an init system did start it anyway.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
  systemctl disable --now postgresql.service >/dev/null 2>&1 || true
fi
command -v podman >/dev/null && command -v docker-registry >/dev/null && test -x /usr/lib/postgresql/15/bin/postgres && test -x /usr/bin/chromium
echo "podman $(podman --version | awk '{print $3}'), docker-registry, postgresql 15, chromium installed"
