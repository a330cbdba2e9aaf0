"""Score reports: a report model rendered to CSV (PDF comes with the records issue)."""
