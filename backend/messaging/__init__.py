"""Messaging between home and school."""
