"""Small framework-free helpers every layer may use."""
