"""classbridge live classes: sessions, participants, attendance and the media relay."""
