#!/usr/bin/env bash
# Build a one-folder desktop bundle with PyInstaller and install the .desktop entry for
# the current user.  Usage: bash packaging/build.sh [--install-desktop]
set -euo pipefail
cd "$(dirname "$0")/.."
pip install -e . "pyinstaller>=6"
mkdir -p build
python - <<'PY'
# a PNG icon for the bundle and the desktop entry, rendered from the SVG with Qt
import os
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtGui import QGuiApplication, QIcon
app = QGuiApplication([])
QIcon("resources/icons/nnviz.svg").pixmap(256, 256).save("build/nnviz.png")
PY
pyinstaller --noconfirm --distpath dist --workpath build packaging/nnviz.spec
if [ "${1:-}" = "--install-desktop" ]; then
  mkdir -p ~/.local/share/applications ~/.local/share/icons/hicolor/256x256/apps
  cp build/nnviz.png ~/.local/share/icons/hicolor/256x256/apps/nnviz.png
  sed "s|^Exec=nnviz|Exec=$PWD/dist/nnviz/nnviz|" resources/nnviz.desktop > ~/.local/share/applications/nnviz.desktop
fi
echo "built dist/nnviz/nnviz"
