#!/usr/bin/env bash
# Installs classbridge into ./.venv on Debian 12 (apt for what pip cannot provide).
# Usage: scripts/install.sh [--test]   (--test adds Chromium, the test extras, and the pinned
# TypeScript of package-lock.json that type-checks web/static: npm ci, into ./node_modules)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
python3 -c 'import ensurepip, venv' 2>/dev/null || packages+=(python3-venv)
# PDF attendance reports embed DejaVu Sans, a font with every Vietnamese letter (all installs).
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || packages+=(fonts-dejavu-core)
if [[ "${1:-}" == "--test" ]]; then
    [[ -x /usr/bin/chromium ]] || packages+=(chromium)
    fc-list 2>/dev/null | grep -qi 'noto sans' || packages+=(fonts-noto-core)
    # opencv-python (ipycam, a test peer for ONVIF) loads libGL and GLib at import.
    ldconfig -p | grep -q 'libGL.so.1' || packages+=(libgl1)
    ldconfig -p | grep -q 'libgthread-2.0.so.0' || packages+=(libglib2.0-0)
    command -v npm >/dev/null || packages+=(nodejs npm)
    # The database tests run against a real PostgreSQL server they start (initdb, pg_ctl).
    compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || packages+=(postgresql)
    # media networking tests (tests/integration/test_turn.py): a real TURN server, and the
    # network namespaces, veths and NAT/drop rules they build (iproute2, nftables).
    command -v turnserver >/dev/null || packages+=(coturn)
    command -v nft >/dev/null || packages+=(nftables)
    command -v ip >/dev/null || packages+=(iproute2)
    # Room agent tests (tests/agent): GStreamer's RTSP server (run by Debian's python3 with
    # python3-gi) serving x264-encoded H.264; PulseAudio null sinks behind PortAudio; and what
    # PyAudio (the [room] extra) builds against.
    for package in python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
        gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly pulseaudio pulseaudio-utils libasound2-plugins \
        libportaudio2 portaudio19-dev python3-dev gcc; do
        dpkg -s "$package" >/dev/null 2>&1 || packages+=("$package")
    done
fi
if ((${#packages[@]})); then
    sudo=""
    [[ "$(id -u)" == 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}"
    # The tests start their own coturn; the package's system service (if it just started) is not ours to keep.
    if [[ " ${packages[*]} " == *" coturn "* ]] && command -v systemctl >/dev/null && systemctl is-active -q coturn 2>/dev/null; then
        $sudo systemctl disable --now coturn >/dev/null 2>&1 || true
    fi
fi

[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [[ "${1:-}" == "--test" ]]; then
    .venv/bin/python -m pip install -q -e '.[test,room]'
    npm ci --no-audit --no-fund --loglevel=error
else
    .venv/bin/python -m pip install -q -e .
fi
