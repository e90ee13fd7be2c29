"""The roster: schools, classes, groups, people and their relations."""
