"""Room keys: the long-lived credential a room PC (its agent, its LED-wall page) holds."""
