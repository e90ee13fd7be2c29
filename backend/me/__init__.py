"""The signed-in person: roles, children, classes, groups, schools."""
