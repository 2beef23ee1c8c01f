"""Shure networked microphones and DSPs (MXA910/920, P300, ANI…; command strings on TCP 2202):
a sans-I/O codec, a simulator and the Microphone driver.

Modules: `errors`, `messages` (`< GET … >`, `< SET … >`, `< REP … >`, `< SAMPLE … >` and the
stream decoder), `values` (on/off, gain in dB, meter levels), `simulator`, `driver`. The
codec modules import no asyncio or socket code.
"""
