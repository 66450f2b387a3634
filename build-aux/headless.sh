#!/usr/bin/env bash
# Runs a command headless, the way every Calsync test runs (PLATFORM-NOTES.md):
#   a private D-Bus session (outermost, so nothing reaches the user's own bus)
#   → gnome-keyring, unlocked, in throwaway XDG folders (the user's keyring is
#     never touched)
#   → Xvfb, a virtual X server for the widgets.
# Usage: build-aux/headless.sh COMMAND [ARGS...]
set -euo pipefail

if [ -z "${CALSYNC_HEADLESS_BUS:-}" ]; then
  export CALSYNC_HEADLESS_BUS=1
  exec dbus-run-session -- bash "$0" "$@"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/calsync-headless.XXXXXX")
keyring_pid=""
cleanup() {
  if [ -n "$keyring_pid" ]; then
    kill "$keyring_pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

mkdir -m 700 "$scratch/runtime" "$scratch/data" "$scratch/config" "$scratch/cache"
export XDG_RUNTIME_DIR="$scratch/runtime"
export XDG_DATA_HOME="$scratch/data"
export XDG_CONFIG_HOME="$scratch/config"
export XDG_CACHE_HOME="$scratch/cache"

# An empty password would create no login collection, and storing would fail
# with "Object does not exist at path …/collection/login".
keyring_env=$(printf '%s' "calsync-headless" |
  gnome-keyring-daemon --unlock --components=secrets)
while IFS='=' read -r name value; do
  case "$name" in
    GNOME_KEYRING_CONTROL|SSH_AUTH_SOCK) export "$name=$value" ;;
  esac
done <<< "$keyring_env"
keyring_pid=$(pgrep -u "$(id -u)" -n -f 'gnome-keyring-daemon' || true)

status=0
xvfb-run -a -s '-screen 0 1280x1024x24' "$@" || status=$?
exit "$status"
