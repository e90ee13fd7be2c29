"""The web portal: server-rendered pages for leave and the morning board."""
