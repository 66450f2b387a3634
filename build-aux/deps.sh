#!/usr/bin/env bash
# Installs what Calsync needs to build, run and test on Debian 12 / Ubuntu,
# and nothing that is there already: safe to run again and again.
#
#   build-aux/deps.sh          what the build and the test suite need
#   build-aux/deps.sh --fuzz   and clang with libFuzzer, for build-aux/fuzz.sh
#                              (also when CALSYNC_FUZZ=1 is set)
set -euo pipefail

fuzz=${CALSYNC_FUZZ:-0}
while [ $# -gt 0 ]; do
  case "$1" in
    --fuzz) fuzz=1 ;;
    *) echo "Unknown option: $1 (use --fuzz)" >&2; exit 64 ;;
  esac
  shift
done

packages=(
  # build
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libglib2.0-dev-bin
  libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev
  libsecret-1-dev libsqlite3-dev libportal-gtk4-dev
  # validators of the data files
  desktop-file-utils appstream
  # headless tests: a private bus, a keyring, a virtual screen
  dbus gnome-keyring xvfb xauth at-spi2-core procps
  # python3 reads meson's test log for the closing line
  python3
  # German is first-class: the tests run the program in de_DE.UTF-8
  locales
  # the TLS tests make a throwaway certificate at run time
  openssl
)

# Fuzzing only: the normal build and tests use gcc. Debian ships libFuzzer
# and the sanitizer runtimes in their own package, which clang does not pull.
if [ "$fuzz" = 1 ]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

as_root=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
fi

# The German locale, for the tests that run Calsync in German.
ensure_german_locale() {
  if locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ] && [ ${#as_root[@]} -eq 0 ]; then
    echo "calsync: the de_DE.UTF-8 locale is missing and you are not root (no sudo)" >&2
    return 1
  fi
  echo "calsync: generating the de_DE.UTF-8 locale"
  "${as_root[@]}" sed -i 's/^# *\(de_DE.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen ||
    echo 'de_DE.UTF-8 UTF-8' | "${as_root[@]}" tee -a /etc/locale.gen >/dev/null
  "${as_root[@]}" locale-gen >/dev/null
}

if [ ${#missing[@]} -eq 0 ]; then
  ensure_german_locale
  echo "calsync: all build and test dependencies are installed."
  exit 0
fi

echo "calsync: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ] && [ ${#as_root[@]} -eq 0 ]; then
  echo "calsync: these packages are missing and you are not root (no sudo): ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
ensure_german_locale
