"""Handling one inbound message: store it, link a stranger, find the person and their ward,
then dispatch to a command or read it as a status reply."""
