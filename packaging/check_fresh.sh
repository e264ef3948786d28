#!/usr/bin/env bash
# A fresh machine, honestly: build a minimal Debian 12 (debootstrap --variant=minbase
# bookworm) in a chroot, install the README's system line there, run the README's two
# set-up commands there as written, and print what happened:
#   tests: the test command must exit 0 (every test passes);
#   app:   the app command must open a window called "nnviz" on an X display (Xvfb on
#          this machine, reached through a bind mount), keep it up, and exit 0 when the
#          window is closed with Ctrl+Q.
# The X server and xdotool run outside the chroot, so nothing the check itself needs can
# hide a library missing from the README's line.
#
# Usage (as root, takes several minutes; not part of .ci/run):
#   bash packaging/check_fresh.sh [--display :N] [--keep] [--app-only]
#   --display :N  the X display to use (default :99; started with Xvfb unless it runs)
#   --keep        leave the chroot in place (its path is printed)
#   --app-only    skip the test command (a quarter of an hour) and check the app command
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
DISPLAY_NUM=":99"
KEEP=0
APP_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --display) DISPLAY_NUM=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --app-only) APP_ONLY=1; shift ;;
    *) echo "usage: $0 [--display :N] [--keep] [--app-only]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "check_fresh: run as root (debootstrap and chroot need it)" >&2; exit 2; }
MIRROR=${MIRROR:-http://deb.debian.org/debian}
START=$(date +%s)
say() { printf '[%4ds] %s\n' $(( $(date +%s) - START )) "$*"; }

# -- the three lines under test, read from the README itself -------------------------
readme_line() { grep -m1 "^$1" "$SRC/README.md" || { echo "README.md: no line starting with '$1'" >&2; exit 1; }; }
SYSTEM_LINE=$(readme_line "sudo apt-get install")
APP_COMMAND=$(readme_line 'python3 -m venv .venv && .*bin/nnviz$')
TEST_COMMAND=$(readme_line 'python3 -m venv .venv && .*pytest')

# -- the host's tools (none of them enter the chroot) ---------------------------------
export DEBIAN_FRONTEND=noninteractive
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xdotool >/dev/null || need+=(xdotool)
if [ ${#need[@]} -gt 0 ]; then
  say "installing on the host: ${need[*]}"
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
XVFB_PID=""
if ! DISPLAY=$DISPLAY_NUM xdotool getdisplaygeometry >/dev/null 2>&1; then
  # no server answers there; a socket or lock file left by one that died would stop Xvfb
  rm -f "/tmp/.X11-unix/X${DISPLAY_NUM#:}" "/tmp/.X${DISPLAY_NUM#:}-lock"
  Xvfb "$DISPLAY_NUM" -screen 0 1600x1000x24 >/dev/null 2>&1 &
  XVFB_PID=$!
  sleep 2
fi

CH=$(mktemp -d /tmp/nnviz-fresh.XXXXXX)
LOG="$CH.log"
cleanup() {
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null || true
  if [ "$KEEP" = 0 ] && ! findmnt -rn -o TARGET | grep -q "^$CH"; then rm -rf "$CH"; fi
}
trap cleanup EXIT
say "debootstrap --variant=minbase bookworm $CH (log: $LOG)"
debootstrap --variant=minbase bookworm "$CH" "$MIRROR" >"$LOG" 2>&1 || { tail -20 "$LOG"; exit 1; }
say "base system: $(chroot "$CH" dpkg-query -W | wc -l) packages, python3: $(chroot "$CH" sh -c 'command -v python3 || echo none')"
cp /etc/resolv.conf "$CH/etc/resolv.conf"
# A network that inspects TLS needs its own certificate authority: hand the host's pip
# bundle to pip in the chroot (a normal network needs nothing, and pip's own bundle is used).
CA_ENV=PIP_NO_INPUT=1
HOST_CA=${PIP_CERT:-$(pip config get global.cert 2>/dev/null || true)}
if [ -n "$HOST_CA" ] && [ -f "$HOST_CA" ]; then
  cp "$HOST_CA" "$CH/etc/check-fresh-ca.crt"
  CA_ENV=PIP_CERT=/etc/check-fresh-ca.crt
  say "pip in the chroot trusts the host's certificate bundle $HOST_CA (PIP_CERT)"
fi
mkdir -p "$CH/src" "$CH/tmp/.X11-unix"
(cd "$SRC" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$CH/src"

# Everything that mounts runs in its own mount namespace: the mounts vanish with it,
# whatever happens, so removing the chroot afterwards can never reach the host's /dev.
export CA_ENV CH LOG DISPLAY_NUM SYSTEM_LINE APP_COMMAND TEST_COMMAND START APP_ONLY
unshare --mount --propagation private bash -s <<'INSIDE'
set -uo pipefail
say() { printf '[%4ds] %s\n' $(( $(date +%s) - START )) "$*"; }
mount -t proc proc "$CH/proc"
mount --rbind /dev "$CH/dev"
mount -t sysfs sys "$CH/sys"
mount --bind /tmp/.X11-unix "$CH/tmp/.X11-unix"
in_chroot() {   # run a shell line inside the chroot, as a fresh root login would
  chroot "$CH" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive "$CA_ENV" "$@"
}
status=0

say "system line (as root, without sudo): ${SYSTEM_LINE#sudo }"
in_chroot sh -c "apt-get update -qq && ${SYSTEM_LINE#sudo }" >>"$LOG" 2>&1 || { tail -20 "$LOG"; exit 1; }
say "now $(in_chroot dpkg-query -W | wc -l) packages, $(in_chroot python3 --version)"

if [ "$APP_ONLY" = 1 ]; then
  say "tests: skipped (--app-only)"
else
  say "tests: $TEST_COMMAND"
  t0=$(date +%s)
  TESTS_LOG="$CH.tests.log"
  in_chroot bash -c "cd /src && $TEST_COMMAND" >"$TESTS_LOG" 2>&1
  rc=$?
  summary=$(grep -E "passed|failed|error" "$TESTS_LOG" | tail -1)
  say "tests: exit $rc after $(( $(date +%s) - t0 )) s: ${summary:-no pytest summary} (log: $TESTS_LOG)"
  [ $rc = 0 ] || { status=1; grep -E "^(FAILED|ERROR)|Error" "$TESTS_LOG" | head -20; }
fi

say "app: $APP_COMMAND   (DISPLAY=$DISPLAY_NUM)"
APP_LOG="$CH.app.log"
t0=$(date +%s)
in_chroot DISPLAY="$DISPLAY_NUM" bash -c "cd /src && $APP_COMMAND" >"$APP_LOG" 2>&1 &
app=$!
win=""
for _ in $(seq 1 300); do   # pip may still be installing: up to 5 minutes
  win=$(DISPLAY=$DISPLAY_NUM xdotool search --onlyvisible --name '^nnviz' 2>/dev/null | head -1 || true)
  [ -n "$win" ] && break
  kill -0 $app 2>/dev/null || break
  sleep 1
done
if [ -z "$win" ]; then
  say "app: no window appeared"; status=1; tail -20 "$APP_LOG"
else
  say "app: window $win \"$(DISPLAY=$DISPLAY_NUM xdotool getwindowname "$win")\" appeared after $(( $(date +%s) - t0 )) s, $(DISPLAY=$DISPLAY_NUM xdotool getwindowgeometry "$win" | tail -1 | xargs)"
  sleep 15
  if kill -0 $app 2>/dev/null && DISPLAY=$DISPLAY_NUM xdotool search --onlyvisible --name '^nnviz' >/dev/null; then
    say "app: still up 15 s later"
    if command -v import >/dev/null; then
      DISPLAY=$DISPLAY_NUM import -window root "$CH.png" && say "app: the screen saved to $CH.png"
    fi
    DISPLAY=$DISPLAY_NUM xdotool windowactivate --sync "$win" key --clearmodifiers ctrl+q 2>/dev/null \
      || DISPLAY=$DISPLAY_NUM xdotool windowfocus --sync "$win" key --clearmodifiers ctrl+q
    for _ in $(seq 1 20); do kill -0 $app 2>/dev/null || break; sleep 0.5; done
    if kill -0 $app 2>/dev/null; then
      say "app: still running 10 s after Ctrl+Q"; status=1; kill $app
    else
      wait $app; rc=$?
      warnings=$(grep -c -E "QThread|QObject|^qt\.|Traceback|Fatal|Abort|Segmentation" "$APP_LOG" || true)
      say "app: closed with Ctrl+Q, exit $rc, $warnings Qt warnings or tracebacks in its output (log: $APP_LOG)"
      [ $rc = 0 ] && [ "$warnings" = 0 ] || { status=1; tail -20 "$APP_LOG"; }
    fi
  else
    say "app: the window or the process went away"; status=1; tail -20 "$APP_LOG"
  fi
fi
exit $status
INSIDE
status=$?
[ "$KEEP" = 1 ] && say "chroot kept at $CH"
if [ $status = 0 ]; then say "RESULT: PASS (the README's line and two commands work on a minimal Debian 12)"
else say "RESULT: FAIL"; fi
exit $status
