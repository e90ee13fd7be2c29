"""Process assembly: the app factory, the command line, lifecycle, background work, settings and logs."""
