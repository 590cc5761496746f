"""The export and import formats (our JSON, CSV, iCalendar; Todoist's CSV): pure readers and
writers. Readers turn a file into records (records.py) or raise FileInvalid; writers turn
the database's rows into text, a chunk at a time. app/api/routes/data.py runs them."""
