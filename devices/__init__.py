"""classbridge room devices: protocols, transports, drivers, simulators and the room controller."""
