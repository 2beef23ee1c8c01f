#!/usr/bin/env bash
# Installs classbridge into ./.venv on Debian 12 (apt for what pip cannot provide).
# Usage: scripts/install.sh [--test] [--bench]   (--test adds Chromium, the test extras, and the pinned
# TypeScript of package-lock.json that type-checks web/static: npm ci, into ./node_modules;
# --bench adds what bench/ runs beside classbridge)
# Python packages come at the exact versions of constraints.txt (pyproject.toml has ranges).
# When .venv already holds this very install (a stamp of pyproject.toml, constraints.txt and
# package-lock.json), pip and npm are not run: serve.sh starts without the package index.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=runtime
bench=no
for arg in "$@"; do
    [[ "$arg" == "--test" ]] && mode=test
    [[ "$arg" == "--bench" ]] && bench=yes
done

packages=()
python3 -c 'import ensurepip, venv' 2>/dev/null || packages+=(python3-venv)
# PDF attendance reports embed DejaVu Sans, a font with every Vietnamese letter (all installs).
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || packages+=(fonts-dejavu-core)
if [[ $mode == test ]]; then
    [[ -x /usr/bin/chromium ]] || packages+=(chromium)
    fc-list 2>/dev/null | grep -qi 'noto sans' || packages+=(fonts-noto-core)
    # opencv-python (ipycam, a test peer for ONVIF) loads libGL and GLib at import.
    ldconfig -p | grep -q 'libGL.so.1' || packages+=(libgl1)
    ldconfig -p | grep -q 'libgthread-2.0.so.0' || packages+=(libglib2.0-0)
    command -v npm >/dev/null || packages+=(nodejs npm)
    # The database tests run against a real PostgreSQL server they start (initdb, pg_ctl).
    compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || packages+=(postgresql)
    # The proxy test runs the server behind a real nginx (docs/examples/nginx-classbridge.conf).
    # ...and behind a real Caddy (docs/examples/Caddyfile).
    [[ -x /usr/sbin/nginx ]] || packages+=(nginx)
    command -v caddy >/dev/null || packages+=(caddy)
    # config/systemd's units are checked with systemd-analyze verify/security (no running systemd).
    command -v systemd-analyze >/dev/null || packages+=(systemd)
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
# bench/load.py --janus runs Janus 1.1.2's VideoRoom (Debian's janus, started by the bench with
# its own config on loopback, never as a service) and builds a small getifaddrs shim with gcc.
if [[ $bench == yes || $mode == test ]]; then
    for package in janus gcc libc6-dev; do dpkg -s "$package" >/dev/null 2>&1 || packages+=("$package"); done
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
    # Likewise nginx and Caddy: the proxy tests run their own on loopback; the packages' services are not ours.
    for service in nginx caddy janus; do
        if [[ " ${packages[*]} " == *" $service "* ]] && command -v systemctl >/dev/null && systemctl is-active -q "$service" 2>/dev/null; then
            $sudo systemctl disable --now "$service" >/dev/null 2>&1 || true
        fi
    done
fi

stamp=.venv/.classbridge-install
digest="$(cat pyproject.toml constraints.txt package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
installed="$(cat "$stamp" 2>/dev/null || true)"
# A test install also serves; a runtime install does not run the tests.
if [[ -x .venv/bin/classbridge && ( "$installed" == "$digest test" || "$installed" == "$digest $mode" ) ]]; then
    exit 0
fi

[[ -x .venv/bin/python ]] || python3 -m venv .venv
rm -f "$stamp"
.venv/bin/python -m pip install -q --upgrade pip
if [[ $mode == test ]]; then
    .venv/bin/python -m pip install -q -c constraints.txt -e '.[test,room]'
    npm ci --no-audit --no-fund --loglevel=error
else
    .venv/bin/python -m pip install -q -c constraints.txt -e .
fi
echo "$digest $mode" > "$stamp"
