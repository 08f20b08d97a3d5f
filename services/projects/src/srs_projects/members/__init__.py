"""Members and roles, the researchers' read model that decides who may hold them, and
requests to add members to an approved project."""
