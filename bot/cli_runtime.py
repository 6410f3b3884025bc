"""CLI commands that need the database and the running bot."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parse_datetime: Callable[[str], datetime],
) -> None:
    return None
