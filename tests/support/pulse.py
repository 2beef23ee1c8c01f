"""A real PulseAudio sound server for tests, with null sinks standing for a room's devices.

PortAudio (PyAudio) reaches it through ALSA's "pulse" device; PULSE_SOURCE and PULSE_SINK
choose which sink's monitor is the capture device and which sink the playback goes to. A
test feeds a tone into a sink with `pacat` and records a sink's monitor with `parec`.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tests.support.wait import wait_until

RATE = 48000


@dataclass
class PulseServer:
    directory: Path
    sinks: tuple[str, ...]
    process: subprocess.Popen[bytes] | None = None
    _children: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def socket(self) -> Path:
        return self.directory / "native"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_RUNTIME_PATH": str(self.directory),
            "PULSE_STATE_PATH": str(self.directory),
            **extra,
        }

    def start(self) -> "PulseServer":
        if shutil.which("pulseaudio") is None:
            raise AssertionError("pulseaudio is not installed (scripts/install.sh --test installs it)")
        self.directory.mkdir(parents=True, exist_ok=True)
        args = [
            "pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--disallow-exit",
            "--use-pid-file=no", "--disable-shm=yes",
            "-L", f"module-native-protocol-unix socket={self.socket} auth-anonymous=1",
        ]
        for sink in self.sinks:
            args += ["-L", f"module-null-sink sink_name={sink} rate={RATE}"]
        log = (self.directory / "pulseaudio.log").open("ab")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **self.env(HOME=str(self.directory))})

        def up() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"pulseaudio exited:\n{self.log()}")
            done = subprocess.run(["pactl", "list", "short", "sinks"], env={**os.environ, **self.env()}, capture_output=True, text=True)
            return all(sink in done.stdout for sink in self.sinks)

        wait_until(up, what="pulseaudio and its null sinks", describe=self.log)
        return self

    def log(self) -> str:
        return (self.directory / "pulseaudio.log").read_text(errors="replace")[-3000:]

    def play_tone(self, sink: str, frequency: float, seconds: float = 120.0) -> None:
        """Play a sine (-12 dBFS) into `sink` in the background."""
        t = np.arange(int(RATE * seconds)) / RATE
        wave = (0.25 * 32767 * np.sin(2 * math.pi * frequency * t)).astype(np.int16)
        path = self.directory / f"tone-{frequency:g}.raw"
        path.write_bytes(wave.tobytes())
        self._spawn(["pacat", "--playback", f"--device={sink}", "--raw", "--format=s16le", f"--rate={RATE}", "--channels=1", str(path)])

    def record(self, source: str, path: Path) -> None:
        """Record `source` (e.g. "room_speakers.monitor") into `path` in the background."""
        out = path.open("wb")
        self._spawn(["parec", f"--device={source}", "--raw", "--format=s16le", f"--rate={RATE}", "--channels=1"], stdout=out)

    def _spawn(self, args: list[str], stdout: object = subprocess.DEVNULL) -> None:
        self._children.append(
            subprocess.Popen(args, stdout=stdout, stderr=subprocess.DEVNULL, env={**os.environ, **self.env()})  # type: ignore[arg-type]
        )

    def stop(self) -> None:
        for process in [*self._children, self.process]:
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)


def tone_level(samples: np.ndarray, frequency: float, rate: int = RATE) -> tuple[float, float]:
    """(RMS 0..1, the share of the signal's energy within ±25 Hz of `frequency`)."""
    if samples.size < rate // 10:
        return 0.0, 0.0
    x = samples.astype(np.float64) / 32768
    rms = float(np.sqrt(np.mean(x**2)))
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size))) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / rate)
    band = (freqs > frequency - 25) & (freqs < frequency + 25)
    total = float(spectrum.sum()) or 1.0
    return rms, float(spectrum[band].sum()) / total


def recorded_tail(path: Path, seconds: float = 1.0) -> np.ndarray:
    data = path.read_bytes() if path.exists() else b""
    data = data[: len(data) // 2 * 2]
    return np.frombuffer(data, dtype=np.int16)[-int(RATE * seconds) :]
