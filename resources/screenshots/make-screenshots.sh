#!/usr/bin/env bash
# Makes the README's screenshots of the main window on the sample library: the sample library copied
# into a neutral home folder (so that no path of the machine it was made on shows), a few captions
# reviewed from the command line, then `photo-annotator gui --screenshot` under Xvfb, for the fonts and
# the X11 platform a user's desktop has:
#   main-window.png                the README's main screenshot
#   main-window-alt-text.png       the review pane on a photo's alt text (the kind the layout remembers)
#   main-window-200.png            text at twice its size (QT_FONT_DPI=192 without high-DPI scaling: what
#                                  a desktop's text scaling setting does, the window keeping its size)
#   main-window-dark.png           the Dark appearance (what System shows in the system's dark mode)
#   main-window-high-contrast.png  the High contrast appearance
#   main-window-de.png             the language setting "de" (numbers and dates follow it)
#   main-window-keywords.png       keyword review: a vocabulary imported, keywords read from a file, the
#                                  caption tagger's suggestions, the Keywords panel opened (keywords_shot.py)
#   quality-view.png               the Quality view on 26 weeks of generated review outcomes (quality_shot.py)
#   heatmap.png                    "Where the model looked" for a word of an AI draft, explained by the tests'
#                                  bright-patch model (no captioner can be downloaded here; heatmap_shot.py)
# Needs xvfb and xauth (see the README's "System libraries on Linux").
# Usage: resources/screenshots/make-screenshots.sh [HOME_FOLDER]   (default /home/user; must not exist)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
home="${1:-/home/user}"
if [ -e "$home" ]; then
  echo "make-screenshots.sh: error: $home exists; name a folder that does not" >&2
  exit 1
fi
trap 'rm -rf "$home"' EXIT
mkdir -p "$home" && cd "$home"
export HOME="$home" USER=user PHOTO_ANNOTATOR_USER=user LC_ALL=C.UTF-8
unset PHOTO_ANNOTATOR_DATA PHOTO_ANNOTATOR_CACHE PHOTO_ANNOTATOR_CONFIG PHOTO_ANNOTATOR_DB QT_QPA_PLATFORM LANGUAGE
app="$repo/.venv/bin/photo-annotator"

library() {  # library FOLDER: the sample library there, scanned, with a few captions reviewed
  local library="$1"
  mkdir -p "$(dirname "$library")"
  cp -r "$repo/resources/sample-library" "$library"
  rm "$library/LICENSE.md"
  if [ -n "${keywords_in_file:-}" ]; then  # keywords another program wrote into a file: read as imported
    "$repo/.venv/bin/python" -c 'import pyexiv2, sys
image = pyexiv2.Image(sys.argv[1]); image.modify_xmp({"Xmp.dc.subject": ["Cats", "Chelsea"]}); image.close()' \
      "$library/animals/chelsea-the-cat.png"
  fi
  "$app" scan "$library" >/dev/null  # imports the captions of the .txt sidecars (English, as written)
  "$app" approve "$library/animals/chelsea-the-cat.png" >/dev/null
  "$app" approve "$library/museum/greek-coins.png" >/dev/null
  "$app" reject "$library/people/astronaut-eileen-collins.png" >/dev/null
  "$app" edit "$library/food/coffee-cup.png" >/dev/null \
    --text "Espresso in a red cup and saucer with a teaspoon, on a worn wooden table in a café"
  "$app" edit "$library/animals/chelsea-the-cat.png" --kind alt-text --approve >/dev/null \
    --text "Tabby cat with green eyes looking straight into the camera."
}

shot() {  # shot LIBRARY SETTINGS_JSON SCREEN OUTPUT [VAR=VALUE...]: one screenshot with those settings
  local library="$1" settings="$2" screen="$3" out="$4"
  shift 4
  rm -rf "$home/.config/photo-annotator"  # each shot in the window's first layout, not the last shot's
  mkdir -p "$home/.config/photo-annotator"
  printf '%s\n' "$settings" >"$home/.config/photo-annotator/settings.json"
  if [ -n "${window_state:-}" ]; then  # a remembered layout (window-state.ini), e.g. the caption kind
    printf '%s\n' "$window_state" >"$home/.config/photo-annotator/window-state.ini"
  fi
  env "$@" xvfb-run -a -s "-screen 0 ${screen}x24 -dpi 96" \
    "$app" gui "$library" --screenshot "$repo/resources/screenshots/$out"
}

english="$home/Pictures/Sample Library"
library "$english"
shot "$english" '{}' 1600x1000 main-window.png
window_state=$'[General]\nversion=1\n[review]\nkind=alt-text' \
  shot "$english" '{}' 1600x1000 main-window-alt-text.png
shot "$english" '{"appearance": "light"}' 1920x1080 main-window-200.png QT_ENABLE_HIGHDPI_SCALING=0 QT_FONT_DPI=192
shot "$english" '{"appearance": "dark"}' 1600x1000 main-window-dark.png
shot "$english" '{"appearance": "high-contrast"}' 1600x1000 main-window-high-contrast.png

# The German window on a catalogue of its own (a German user's folder names), from an empty home.
find "$home" -mindepth 1 -delete
german="$home/Bilder/Beispielfotos"
library "$german"
shot "$german" '{"language": "de"}' 1600x1000 main-window-de.png

# Keyword review, from an empty home: the everyday vocabulary imported before the scan (the file's "Cats"
# is its term), the caption tagger's suggestions, a few keywords accepted, rejected and added.
find "$home" -mindepth 1 -delete
keywords="$home/Pictures/Sample Library"
"$app" vocab import "$repo/tests/tagging/everyday_terms.csv" --name Everyday >/dev/null
keywords_in_file=1 library "$keywords"
"$app" tags suggest "$keywords" --tagger caption-text --vocab Everyday >/dev/null
"$app" tags add "$keywords/animals/chelsea-the-cat.png" --term Tabby >/dev/null
"$app" tags accept "$keywords/food/coffee-cup.png" --term Coffee >/dev/null
"$app" tags accept "$keywords/food/coffee-cup.png" --term Cups >/dev/null
"$app" tags reject "$keywords/food/coffee-cup.png" --term Tables >/dev/null
rm -rf "$home/.config/photo-annotator"
xvfb-run -a -s "-screen 0 1600x1000x24 -dpi 96" "$repo/.venv/bin/python" \
  "$repo/resources/screenshots/keywords_shot.py" "$keywords" "$repo/resources/screenshots/main-window-keywords.png" \
  Everyday Animals Mammals

# The Quality view on 26 weeks of generated review outcomes (its own catalogue, in a temporary folder).
rm -rf "$home/.config/photo-annotator"
xvfb-run -a -s "-screen 0 1600x1000x24 -dpi 96" "$repo/.venv/bin/python" \
  "$repo/resources/screenshots/quality_shot.py" "$repo/resources/screenshots/quality-view.png"

# Where the model looked: the sample library, a draft on the dahlia explained by the bright-patch model.
find "$home" -mindepth 1 -delete
heatmap="$home/Pictures/Sample Library"
library "$heatmap"
rm -rf "$home/.config/photo-annotator"
xvfb-run -a -s "-screen 0 1600x1000x24 -dpi 96" "$repo/.venv/bin/python" \
  "$repo/resources/screenshots/heatmap_shot.py" "$heatmap" "$repo/resources/screenshots/heatmap.png"
