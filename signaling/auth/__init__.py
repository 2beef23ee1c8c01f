"""Credentials: the admin token, the signing keyring, join and technician tokens and links, and
who may do what to a room."""
