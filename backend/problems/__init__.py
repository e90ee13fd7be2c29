"""Problem codes, the domain errors that carry them, and their texts."""
