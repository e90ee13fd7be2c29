"""Who may see and do what: the access policy over the access definitions, guards, audiences, case staff."""
