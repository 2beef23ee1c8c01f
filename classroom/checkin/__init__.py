"""In-room check-in: trainees sitting in the room are counted present by scanning its code."""
