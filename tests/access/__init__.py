"""Who may see and change what: the authorization matrices, the differential test,
school years, adulthood, tenancy."""
