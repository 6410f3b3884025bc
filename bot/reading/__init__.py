"""Pure readers of what people type: a status reply, several answers in one line, an answer
to the bot's question, a retraction, the task labels a message names (`task_refs`), the
document or link given as a product (`evidence`).

`normalize` turns chat spellings into plain folded words, `numbers` reads percentages,
fractions and counts, `clauses` reads each clause of a message, `reader` decides the status
of the whole message, `answers` reads the answers to the bot's own questions, and `wording`
holds every sentence a person sees. `replies` and `task_refs` are the public faces.
"""
