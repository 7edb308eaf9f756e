"""Stand-in for AIOpsLab (tests only)."""
