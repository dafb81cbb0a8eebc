"""TODO: written next."""
