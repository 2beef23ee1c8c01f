"""A simulated Shure microphone (TCP 2202 command strings, REP reports and meter SAMPLEs)."""
