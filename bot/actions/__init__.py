"""Use cases that chat, the command line and the desk share: linking people, recording a
status, acting on a task, keeping the files a unit sends. No wording, no channel."""
