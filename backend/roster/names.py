"""Norwegian names for generated pupils, guardians and staff."""

FIRST_NAMES = (
    "Emma", "Nora", "Sofie", "Olivia", "Ella", "Ingrid", "Leah", "Sara", "Maja", "Frida",
    "Astrid", "Hedda", "Selma", "Thea", "Mia", "Live", "Tiril", "Solveig", "Eline", "Vilde",
    "Jakob", "Emil", "Noah", "Oliver", "Filip", "William", "Lukas", "Henrik", "Aksel", "Magnus",
    "Sander", "Tobias", "Elias", "Isak", "Johannes", "Mathias", "Sindre", "Eirik", "Torstein",
    "Håkon", "Øystein", "Åsmund", "Bjørn", "Kjersti", "Gunnhild", "Sigrid", "Ragnhild", "Tuva",
)
SURNAMES = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen",
    "Lund", "Sørensen", "Jakobsen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg",
    "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen", "Mathisen",
    "Lie", "Rønning", "Vik", "Aas", "Myklebust", "Sandvik", "Helland", "Nygård", "Fjeld",
)
