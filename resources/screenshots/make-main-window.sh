#!/usr/bin/env bash
# Makes resources/screenshots/main-window.png, the README's screenshot: the sample library copied into
# a neutral home folder (so that no path of the machine it was made on shows), a few captions reviewed
# from the command line, then `photo-annotator gui --screenshot` under Xvfb, for the fonts and the X11
# platform a user's desktop has. Needs xvfb and xauth (see the README's "System libraries on Linux").
# Usage: resources/screenshots/make-main-window.sh [HOME_FOLDER]   (default /home/user; must not exist)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
home="${1:-/home/user}"
if [ -e "$home" ]; then
  echo "make-main-window.sh: error: $home exists; name a folder that does not" >&2
  exit 1
fi
trap 'rm -rf "$home"' EXIT
library="$home/Pictures/Sample Library"
mkdir -p "$home/Pictures"
cp -r "$repo/resources/sample-library" "$library"
rm "$library/LICENSE.md"

cd "$home"
export HOME="$home" USER=user PHOTO_ANNOTATOR_USER=user
unset PHOTO_ANNOTATOR_DATA PHOTO_ANNOTATOR_CACHE PHOTO_ANNOTATOR_CONFIG PHOTO_ANNOTATOR_DB QT_QPA_PLATFORM
app="$repo/.venv/bin/photo-annotator"
"$app" scan "$library" >/dev/null  # imports the captions of the .txt sidecars
"$app" approve "$library/animals/chelsea-the-cat.png" >/dev/null
"$app" approve "$library/museum/greek-coins.png" >/dev/null
"$app" approve "$library/people/astronaut-eileen-collins.png" >/dev/null
"$app" edit "$library/food/coffee-cup.png" >/dev/null \
  --text "Espresso in a red cup and saucer with a teaspoon, on a worn wooden table in a café"
xvfb-run -a -s "-screen 0 1600x1000x24 -dpi 96" \
  "$app" gui "$library" --screenshot "$repo/resources/screenshots/main-window.png"
