"""Local stand-ins for services outside our control (identity providers, FCM)."""
