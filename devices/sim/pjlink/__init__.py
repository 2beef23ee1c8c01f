"""A simulated PJLink class 1 projector (TCP), with auth, warm-up and cool-down."""
