#!/usr/bin/env bash
# Makes the README's accessibility screenshots of the main window on the sample library, as
# make-main-window.sh does (a neutral home folder, a few captions reviewed, Xvfb):
#   main-window-200.png            text at twice its size (QT_FONT_DPI=192 without high-DPI scaling: what
#                                  a desktop's text scaling setting does, the window keeping its size)
#   main-window-dark.png           the Dark appearance (what System shows in the system's dark mode)
#   main-window-high-contrast.png  the High contrast appearance
# Needs xvfb and xauth (see the README's "System libraries on Linux").
# Usage: resources/screenshots/make-accessibility.sh [HOME_FOLDER]   (default /home/user; must not exist)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
home="${1:-/home/user}"
if [ -e "$home" ]; then
  echo "make-accessibility.sh: error: $home exists; name a folder that does not" >&2
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
"$app" reject "$library/people/astronaut-eileen-collins.png" >/dev/null
"$app" edit "$library/food/coffee-cup.png" >/dev/null \
  --text "Espresso in a red cup and saucer with a teaspoon, on a worn wooden table in a café"

shot() {  # shot APPEARANCE OUTPUT [VAR=VALUE...]: one screenshot with that appearance setting
  local appearance="$1" out="$2"
  shift 2
  rm -rf "$home/.config/photo-annotator"  # each shot in the window's first layout, not the last shot's
  mkdir -p "$home/.config/photo-annotator"
  printf '{"appearance": "%s"}\n' "$appearance" >"$home/.config/photo-annotator/settings.json"
  env "$@" xvfb-run -a -s "-screen 0 1920x1080x24 -dpi 96" \
    "$app" gui "$library" --screenshot "$repo/resources/screenshots/$out"
}
shot light main-window-200.png QT_ENABLE_HIGHDPI_SCALING=0 QT_FONT_DPI=192
shot dark main-window-dark.png
shot high-contrast main-window-high-contrast.png
