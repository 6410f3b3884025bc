"""Pure readers of what people type: status replies, task labels, document evidence."""
