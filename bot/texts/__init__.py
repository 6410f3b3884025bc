"""Every word a person reads, in Vietnamese: chat, reminders, people, reviews, extensions,
targets, wards, plan views, report wording, links."""
