"""The web portal through the test client (no browser): pages, forms, CSRF, sign-in."""
