#!/usr/bin/env bash
# Install the one-folder bundle (dist/drillscore, from packaging/drillscore.spec) for this user:
# the folder under ~/.local/lib, `drillscore` on the PATH, the desktop entry and the icon.
#     packaging/install-linux.sh [dist/drillscore]
set -euo pipefail
src="${1:-dist/drillscore}"
if [ ! -x "$src/drillscore" ]; then
    echo "error: $src/drillscore not found; build it first: pyinstaller --noconfirm packaging/drillscore.spec" >&2
    exit 2
fi
prefix="${PREFIX:-$HOME/.local}"
rm -rf "$prefix/lib/drillscore"
mkdir -p "$prefix/lib" "$prefix/bin" "$prefix/share/applications" "$prefix/share/icons/hicolor/256x256/apps"
cp -a "$src" "$prefix/lib/drillscore"
ln -sf "$prefix/lib/drillscore/drillscore" "$prefix/bin/drillscore"
assets="$prefix/lib/drillscore/_internal/app/assets"
cp "$assets/icons/drillscore.png" "$prefix/share/icons/hicolor/256x256/apps/drillscore.png"
sed "s|^Exec=drillscore|Exec=$prefix/bin/drillscore|; s|^TryExec=drillscore|TryExec=$prefix/bin/drillscore|" \
    "$assets/drillscore.desktop" > "$prefix/share/applications/drillscore.desktop"
echo "installed: $prefix/bin/drillscore (menu entry: DrillScore)"
