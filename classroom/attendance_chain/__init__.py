"""The attendance events as an append-only hash chain, so that a row edited or deleted in the
database afterwards is detected (`classbridge attendance verify CLASS`)."""
