"""Models of this program (added by its issue)."""
