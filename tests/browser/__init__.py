"""The portal in a real Chromium (marker ``browser``)."""
