"""Readers for the real development data in ../shared/data (never copied into the repo)."""
