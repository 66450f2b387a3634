#!/usr/bin/env bash
# Fuzzes every parser of outside input (docs/reliability.md, "Fuzzing").
#
#   build-aux/fuzz.sh [SECONDS]   each target for SECONDS (default 60)
#
# Installs clang and libFuzzer if they are missing (build-aux/deps.sh
# --fuzz), builds the targets of tests/fuzz in build-fuzz/ with clang,
# libFuzzer, AddressSanitizer and UBSan, and runs them one after the other
# from the seed corpus (tests/fuzz/corpus/<target>) with the dictionary
# tests/fuzz/json.dict. New inputs found go to build-fuzz/corpus/<target>,
# so a later run goes on from there. A crashing input (crash-, leak-,
# timeout-, oom-) is kept in tests/fuzz/regressions/<target>/, which the
# normal test suite replays: fix the parser, then commit the file.
#
# Prints one line per target, then "N passed, N failed" (a target passes
# with no crash); exits 1 if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]] || [ $# -gt 1 ]; then
  echo "Usage: build-aux/fuzz.sh [SECONDS]   (default 60 per target)" >&2
  exit 64
fi

bash build-aux/deps.sh --fuzz

builddir=build-fuzz
# The libraries get the fuzzer's coverage instrumentation without its
# main(); only the targets link libFuzzer (tests/fuzz/meson.build). UBSan
# aborts on the first report, so that libFuzzer keeps the input.
setup_args=(
  -Dfuzzing=true
  -Db_sanitize=address,undefined
  -Db_lundef=false
  -Dbuildtype=debugoptimized
  "-Dc_args=-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined"
)

if [ -f "$builddir/build.ninja" ]; then
  meson configure "$builddir" "${setup_args[@]}" >/dev/null
else
  CC=clang meson setup "$builddir" "${setup_args[@]}" >/dev/null
fi

targets=()
for source in tests/fuzz/fuzz-*.c; do
  name=$(basename "$source" .c)
  case "$name" in
    fuzz-common | fuzz-replay) ;;
    *) targets+=("${name#fuzz-}") ;;
  esac
done

meson compile -C "$builddir" "${targets[@]/#/fuzz-}" >/dev/null

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp
# GLib's slice allocator would hide its blocks from AddressSanitizer.
export G_SLICE=always-malloc
export G_DEBUG=gc-friendly

mkdir -p "$builddir/fuzz-logs"
passed=0
failed=0

for target in "${targets[@]}"; do
  work="$builddir/corpus/$target"
  seeds="tests/fuzz/corpus/$target"
  regressions="tests/fuzz/regressions/$target"
  log="$builddir/fuzz-logs/$target.log"
  mkdir -p "$work" "$regressions"
  before=$(ls -A "$regressions")

  status=0
  "$builddir/tests/fuzz/fuzz-$target" \
    -max_total_time="$seconds" \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -max_len=16384 \
    -dict=tests/fuzz/json.dict \
    -artifact_prefix="$regressions/" \
    -print_final_stats=1 \
    "$work" "$seeds" >"$log" 2>&1 || status=$?

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ -z "$execs" ]; then
    # A crash ends the run before the final statistics.
    execs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
  fi

  crashes=0
  new=()
  for file in "$regressions"/*; do
    [ -e "$file" ] || continue
    case "$(basename "$file")" in crash-* | leak-* | timeout-* | oom-*) ;; *) continue ;; esac
    if ! grep -qxF "$(basename "$file")" <<<"$before"; then
      new+=("$file")
      crashes=$((crashes + 1))
    fi
  done
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    crashes=1
  fi
  rmdir --ignore-fail-on-non-empty "$regressions"

  printf '%-32s execs=%-10s crashes=%d\n' "fuzz-$target" "${execs:-0}" "$crashes"
  if [ "$crashes" -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    # What the fuzzer said about it, with the stack, for CI's log.
    grep -v '^#[0-9]' "$log" | tail -n 40 | sed 's/^/    /'
    for file in "${new[@]}"; do
      echo "    kept: $file (replayed by: meson test -C build fuzz-$target)"
    done
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
