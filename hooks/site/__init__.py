"""Site-wide outputs, computed once per build from what every page attached (tags, …)."""
