"""Media worker processes: the pool in the server process, the worker process, and the framed
messages between them."""
