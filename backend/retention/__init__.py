"""What Skolebro keeps, and for how long: retention, legal holds (docs/privacy.md)."""
