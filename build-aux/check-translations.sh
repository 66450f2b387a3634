#!/usr/bin/env bash
# Fails unless po/de.po translates every message of the sources listed in
# po/POTFILES.in, with nothing fuzzy, in a catalogue msgfmt accepts.
# German is a first-class language of Calsync: a new string without its
# translation is a failing test, not a follow-up.
set -euo pipefail
srcdir=${1:-$(dirname "$0")/..}
cd "$srcdir"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

grep -v '^#' po/POTFILES.in | sed '/^$/d' > "$scratch/files"
# C sources as C; templates (.ui), the desktop file and the metainfo by
# their own syntax, as meson's i18n module extracts them.
grep '\.c$' "$scratch/files" > "$scratch/c-files" || true
grep -v '\.c$' "$scratch/files" > "$scratch/other-files" || true
xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
  --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --add-comments=Translators \
  --files-from="$scratch/c-files" --output="$scratch/calsync.pot"
if [ -s "$scratch/other-files" ]; then
  xgettext --from-code=UTF-8 --join-existing --add-comments=Translators \
    --files-from="$scratch/other-files" --output="$scratch/calsync.pot"
fi

# Every message of the sources has a translation (untranslated ones count
# as missing).
msgcmp po/de.po "$scratch/calsync.pot"

stats=$(LC_ALL=C msgfmt --check --statistics --output-file=/dev/null po/de.po 2>&1)
echo "po/de.po: $stats"
case "$stats" in
  *fuzzy*|*untranslated*) echo "po/de.po has fuzzy or untranslated messages" >&2; exit 1 ;;
esac
