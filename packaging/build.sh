#!/usr/bin/env bash
# Build a one-folder desktop bundle, dist/nnviz/, with PyInstaller, in the README's virtual
# environment (.venv), and optionally install it for the current user with its launcher,
# icon and .nnviz file type (packaging/install_desktop.sh).
# Usage: bash packaging/build.sh [--install-desktop]
# The bundle carries Python, Qt and numba, but uses the system's OpenGL, EGL and fontconfig
# libraries: a target machine needs libgl1 libegl1 libfontconfig1 (desktop systems have them).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -e . "pyinstaller>=6"
mkdir -p build
QT_QPA_PLATFORM=offscreen .venv/bin/python - <<'PY'
# a PNG icon for the bundle and the desktop entry, rendered from the SVG with Qt
from PySide6.QtGui import QGuiApplication, QIcon
app = QGuiApplication([])
QIcon("resources/icons/nnviz.svg").pixmap(256, 256).save("build/nnviz.png")
PY
.venv/bin/pyinstaller --noconfirm --distpath dist --workpath build packaging/nnviz.spec
echo "built dist/nnviz/nnviz"
if [ "${1:-}" = "--install-desktop" ]; then
  bash packaging/install_desktop.sh dist/nnviz
fi
