"""Scene steps as the rooms file writes them: the `do` tag, labels, timeouts."""

from __future__ import annotations

import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from devices.rooms_file.scene_steps import (
    GainStep,
    MuteStep,
    OnFailure,
    PowerStep,
    SceneStep,
    WaitReadyStep,
    WaitStep,
)

STEP: TypeAdapter[SceneStep] = TypeAdapter(SceneStep)


def parse(text: str) -> SceneStep:
    return STEP.validate_python(yaml.safe_load(text))


def test_yaml_on_and_off_are_booleans() -> None:
    step = parse("{do: power, device: projector, power: on}")
    assert isinstance(step, PowerStep) and step.power is True
    assert step.label == "projector: power on"
    assert parse("{do: power, device: projector, power: off}").power is False  # type: ignore[union-attr]


def test_every_kind_has_a_label() -> None:
    texts = {
        "{do: wait_ready, device: projector}": "projector: wait until ready",
        "{do: input, device: display, input: hdmi1}": "display: input hdmi1",
        "{do: position, position: lectern}": "camera to lectern",
        "{do: mute, device: mic, muted: true, channel: 2}": "mic channel 2: mute",
        "{do: mute, device: mic, muted: false}": "mic: unmute",
        "{do: gain, device: mic, gain_db: -3.5}": "mic channel 1: gain -3.5 dB",
        "{do: volume, device: display, level: 30}": "display: volume 30",
        "{do: wait, seconds: 2}": "wait 2 s",
    }
    for text, label in texts.items():
        assert parse(text).label == label


def test_timeouts_default_per_kind() -> None:
    assert parse("{do: input, device: d, input: hdmi1}").limit == 10.0
    assert parse("{do: input, device: d, input: hdmi1, timeout: 3}").limit == 3.0
    assert isinstance(ready := parse("{do: wait_ready, device: p}"), WaitReadyStep)
    assert ready.limit == 90.0
    wait = parse("{do: wait, seconds: 2}")
    assert isinstance(wait, WaitStep) and wait.limit > 2  # a wait never times out by itself


def test_policy_and_ranges() -> None:
    step = parse("{do: mute, device: mic, muted: true, on_failure: stop}")
    assert isinstance(step, MuteStep) and step.on_failure is OnFailure.STOP
    with pytest.raises(ValidationError, match="less than or equal to 100"):
        parse("{do: volume, device: d, level: 101}")
    with pytest.raises(ValidationError, match="Extra inputs"):
        parse("{do: gain, device: mic, gain: 3}")
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        parse("{do: dance, device: mic}")
    assert isinstance(parse("{do: gain, device: mic, gain_db: 3}"), GainStep)
