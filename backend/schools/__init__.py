"""Schools: settings and the calendar of school days."""
