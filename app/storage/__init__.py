"""SQLite storage through sqlite-utils: migrations, repository functions."""
