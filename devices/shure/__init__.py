"""Shure networked microphones and DSPs (MXA910/920, P300, ANI…; command strings on TCP 2202):
a sans-I/O codec and the Microphone driver (its simulator is devices/sim/shure/).

Modules: `errors`, `messages` (`< GET … >`, `< SET … >`, `< REP … >`, `< SAMPLE … >` and the
stream decoder), `values` (on/off, gain in dB, meter levels), `driver`. The
codec modules import no asyncio or socket code.
"""
