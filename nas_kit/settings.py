"""Settings as plain values with overrides (in the manner of nanoGPT's configurator).

A recipe is a dict of defaults taken from a paper, one per profile; ``override(defaults, {"lr": "0.1"})``
returns a copy with some values replaced, each text parsed to the type of its default (``"0.1"`` -> 0.1,
``"true"`` -> True, ``"6,1600,2"`` -> (6, 1600, 2)).  An unknown key or a value that does not parse gives
a ValueError of one sentence that lists what is allowed.
"""
from __future__ import annotations

import ast

TRUE, FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")
SWITCH = ("auto", "on", "off")           # device-dependent options: 'auto' = on with CUDA, off on the CPU


def parse_value(key, text, default, choices=None):
    """``text`` (a string from the command line, or already a value) as the type of ``default``."""
    if isinstance(text, str):
        raw = text.strip()
        try:
            if isinstance(default, bool):
                if raw.lower() not in TRUE + FALSE:
                    raise ValueError
                value = raw.lower() in TRUE
            elif isinstance(default, int):
                value = int(raw)
            elif isinstance(default, float):
                value = float(raw)
            elif isinstance(default, (tuple, list)):
                items = [s for s in raw.replace("(", "").replace(")", "").split(",") if s.strip()]
                kind = type(default[0]) if len(default) else str
                value = tuple(parse_value(key, s, kind()) for s in items)
            elif default is None:
                try:
                    value = ast.literal_eval(raw)
                except (ValueError, SyntaxError):
                    value = raw
            else:
                value = raw
        except ValueError:
            kind = "a float" if isinstance(default, float) else "true or false" if isinstance(default, bool) else \
                "an integer" if isinstance(default, int) else "comma-separated values" if isinstance(default, (tuple, list)) \
                else "a value"
            raise ValueError(f"setting {key}={text!r} is not {kind} (its default is {default!r}).") from None
    else:
        value = text
        if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif default is not None and not isinstance(value, type(default)) and not (
                isinstance(default, (tuple, list)) and isinstance(value, (tuple, list))):
            raise ValueError(f"setting {key}={value!r} should be a {type(default).__name__} like its default {default!r}.")
    if choices and isinstance(value, str) and value.lower() not in choices:
        raise ValueError(f"setting {key}={value!r} is not one of {', '.join(choices)}.")
    return value.lower() if choices and isinstance(value, str) else value


def override(defaults: dict, overrides: dict | None = None, what: str = "these settings", choices: dict | None = None) -> dict:
    """A copy of ``defaults`` with ``overrides`` (key -> text or value) applied and checked."""
    settings = dict(defaults)
    choices = choices or {}
    for key, text in (overrides or {}).items():
        if key not in defaults:
            raise ValueError(f"unknown setting {key!r} for {what}: valid keys are {', '.join(sorted(defaults))}.")
        settings[key] = parse_value(key, text, defaults[key], choices.get(key))
    return settings


def parse_assignments(items) -> dict:
    """``["lr=0.1", "C=8"]`` -> ``{"lr": "0.1", "C": "8"}``; an item without '=' is an error."""
    out = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--set {item!r} is not of the form key=value (for example --set epochs=2).")
        out[key.strip()] = value
    return out


def switch(value, device) -> bool:
    """An 'auto'/'on'/'off' (or bool) option for a device: 'auto' is on with CUDA and off on the CPU."""
    if isinstance(value, bool):
        return value
    if value == "auto":
        return getattr(device, "type", str(device)).startswith("cuda")
    if value in SWITCH:
        return value == "on"
    raise ValueError(f"{value!r} is not one of {', '.join(SWITCH)}.")


def resolve_device(value: str):
    """'auto' -> CUDA when available, else the CPU; otherwise the named device (an error if CUDA is absent)."""
    import torch
    if value == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(value)
    except RuntimeError:
        raise ValueError(f"device={value!r} is not a device: use auto, cpu or cuda.") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={value!r} asks for CUDA, but PyTorch sees no GPU here: use device=auto or cpu.")
    return device
