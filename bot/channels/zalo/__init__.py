"""Zalo channel on the Zalo Bot API, through a thin httpx client of our own."""
