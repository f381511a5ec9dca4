"""The benchmark (CONTRACT 5, SPEC Q-PERF). `measure` is the engine; `pages`, `intake` and
`routing` hold the operation sets and import only `measure`; `run` lists the sets and is
what `manage.py bench` calls."""
