#!/usr/bin/env bash
# Makes resources/screenshots/main-window-de.png, the README's German screenshot: as make-main-window.sh
# does (the sample library in a neutral home folder, a few captions reviewed, Xvfb), with the language
# setting "de" (the formats of numbers and dates follow it).
# Needs xvfb and xauth (see the README's "System libraries on Linux").
# Usage: resources/screenshots/make-main-window-de.sh [HOME_FOLDER]   (default /home/user; must not exist)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
home="${1:-/home/user}"
if [ -e "$home" ]; then
  echo "make-main-window-de.sh: error: $home exists; name a folder that does not" >&2
  exit 1
fi
trap 'rm -rf "$home"' EXIT
library="$home/Bilder/Beispielfotos"
mkdir -p "$home/Bilder"
cp -r "$repo/resources/sample-library" "$library"
rm "$library/LICENSE.md"

cd "$home"
export HOME="$home" USER=user PHOTO_ANNOTATOR_USER=user LC_ALL=C.UTF-8
unset PHOTO_ANNOTATOR_DATA PHOTO_ANNOTATOR_CACHE PHOTO_ANNOTATOR_CONFIG PHOTO_ANNOTATOR_DB QT_QPA_PLATFORM LANGUAGE
app="$repo/.venv/bin/photo-annotator"
"$app" scan "$library" >/dev/null  # imports the captions of the .txt sidecars (English, as written)
"$app" approve "$library/animals/chelsea-the-cat.png" >/dev/null
"$app" approve "$library/museum/greek-coins.png" >/dev/null
"$app" reject "$library/people/astronaut-eileen-collins.png" >/dev/null
mkdir -p "$home/.config/photo-annotator"
printf '{"language": "de"}\n' >"$home/.config/photo-annotator/settings.json"
xvfb-run -a -s "-screen 0 1600x1000x24 -dpi 96" \
  "$app" gui "$library" --screenshot "$repo/resources/screenshots/main-window-de.png"
