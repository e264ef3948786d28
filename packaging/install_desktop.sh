#!/usr/bin/env bash
# Install a built bundle for the current user, with its launcher, icon and file type, so
# that it keeps working when the build folder moves or is deleted:
#   the bundle     ~/.local/lib/nnviz/            a copy of dist/nnviz (replaced on reinstall)
#   the command    ~/.local/bin/nnviz             a link into it
#   the launcher   ~/.local/share/applications/nnviz.desktop   Exec= the copy's absolute path
#   the file type  ~/.local/share/mime/packages/nnviz.xml      *.nnviz = application/x-nnviz-session
#   the icon       ~/.local/share/icons/hicolor/scalable/apps/nnviz.svg
# A double click on a .nnviz session then opens it in nnviz.
# Usage: bash packaging/install_desktop.sh [BUNDLE_FOLDER]   (default: dist/nnviz)
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-dist/nnviz}
[ -x "$src/nnviz" ] || { echo "install_desktop: no bundle at $src (build one: bash packaging/build.sh)" >&2; exit 1; }
data=${XDG_DATA_HOME:-$HOME/.local/share}
lib=$HOME/.local/lib/nnviz
mkdir -p "$HOME/.local/lib" "$HOME/.local/bin" "$data/applications" "$data/mime/packages" \
         "$data/icons/hicolor/scalable/apps"
rm -rf "$lib.new"
cp -a "$src" "$lib.new"            # copy first: a failed copy leaves the old install in place
rm -rf "$lib"
mv "$lib.new" "$lib"
ln -sfn "$lib/nnviz" "$HOME/.local/bin/nnviz"
sed "s|^Exec=nnviz |Exec=\"$lib/nnviz\" |" resources/nnviz.desktop > "$data/applications/nnviz.desktop"
cp resources/nnviz-mime.xml "$data/mime/packages/nnviz.xml"
cp resources/icons/nnviz.svg "$data/icons/hicolor/scalable/apps/nnviz.svg"
if [ -f build/nnviz.png ]; then
  mkdir -p "$data/icons/hicolor/256x256/apps"
  cp build/nnviz.png "$data/icons/hicolor/256x256/apps/nnviz.png"
fi
# the caches the desktop reads (each tool is optional: without it the desktop rescans later)
if command -v update-mime-database >/dev/null; then update-mime-database "$data/mime"; fi
if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$data/applications"; fi
if command -v gtk-update-icon-cache >/dev/null; then gtk-update-icon-cache -q -t "$data/icons/hicolor" || true; fi
echo "installed nnviz in $lib (command: $HOME/.local/bin/nnviz, launcher: $data/applications/nnviz.desktop)"
