"""Benchmarks: scripts that print figures. Run from the repository root: python -m bench.NAME"""
