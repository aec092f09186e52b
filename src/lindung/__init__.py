"""Lindung: information management for the protection of migrants in vulnerable situations."""
