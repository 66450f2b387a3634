#!/usr/bin/env bash
# The README's second command: install what is missing, build with every
# warning an error, and run the whole test suite headless (build-aux/headless.sh).
# It ends with the line "N passed, N failed" counted from meson's test log.
#
#   build-aux/test.sh              the full suite in build/
#   build-aux/test.sh --sanitize   the suites below the UI, built with
#                                  AddressSanitizer and UBSan in build-asan/
#   build-aux/test.sh --repeat N   every test N times in a row (flake hunting;
#                                  combines with --sanitize)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full
repeat=1
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) mode=--sanitize ;;
    --repeat)
      shift
      repeat=${1:-}
      if ! [[ "$repeat" =~ ^[1-9][0-9]*$ ]]; then
        echo "--repeat takes a count (1 or more)" >&2
        exit 64
      fi
      ;;
    *) echo "Unknown option: $1 (use --sanitize, --repeat N)" >&2; exit 64 ;;
  esac
  shift
done
bash build-aux/deps.sh

if [ "$mode" = "--sanitize" ]; then
  builddir=build-asan
  setup_args=(-Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug)
  # Everything below the UI; the data checks need no second run.
  suites=(--no-suite ui --no-suite i18n)
  export GDK_DEBUG=gl-disable
else
  builddir=build
  setup_args=(-Dwerror=true)
  suites=()
fi

if [ -f "$builddir/build.ninja" ]; then
  meson configure "$builddir" "${setup_args[@]}"
else
  meson setup "$builddir" "${setup_args[@]}"
fi
meson compile -C "$builddir"

status=0
bash build-aux/headless.sh meson test -C "$builddir" --print-errorlogs --repeat "$repeat" \
  "${suites[@]}" || status=$?

python3 build-aux/count-tests.py "$builddir/meson-logs/testlog.json"
exit "$status"
