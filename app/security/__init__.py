"""Roles, permissions and the security manager."""
