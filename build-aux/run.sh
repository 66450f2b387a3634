#!/usr/bin/env bash
# The README's first command: install what is missing, build, and start
# Calsync. Arguments go to the program.
set -euo pipefail
cd "$(dirname "$0")/.."

bash build-aux/deps.sh
if [ ! -f build/build.ninja ]; then
  meson setup build
fi
meson compile -C build

if [ $# -eq 0 ]; then
  # The window on the built-in simulator, with every kind of problem in
  # it and two weeks of checks behind them.
  set -- --demo
fi
exec meson devenv -C build ./src/calsync "$@"
