"""Driver facades: what the rest of classbridge uses to drive a device without knowing its protocol."""
