"""OneRoster 1.1 and 1.2: the model (``model``), the CSV reader (``csv_reader``;
the REST reader is ``backend.roster.rest``) and the building of the roster
from their rows (``build``, ``people``, ``row_rules``)."""
