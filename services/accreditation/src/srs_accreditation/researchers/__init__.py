"""Researchers: profiles, their organisation, who may see them."""
