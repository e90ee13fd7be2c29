"""The morning board: roll call, board statuses and the class team's check."""
