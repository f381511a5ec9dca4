"""List imports (IMPORT-1..4, CONTRACT 6.6): `files` reads an upload safely, `columns`
matches its headers, `rows` checks and matches each row, `services` uploads, previews,
queues and undoes, `commit` writes (run by `leads.tasks.import_commit_task`)."""
