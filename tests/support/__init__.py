"""Code the tests share. Plain helpers are imported by name; fixtures live in conftest.py files and
in the modules tests/conftest.py loads as plugins (``pytest_plugins``)."""
