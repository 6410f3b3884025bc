"""Time: plan loading, deadline phrases, working calendar, reminder planning, dispatch."""
