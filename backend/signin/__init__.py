"""Sign-in, tokens and the access policy."""
