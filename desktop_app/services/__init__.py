"""The operations a person performs, each written once, for every front end (CLI, app, HTTP API).

Qt-free and click-free: front ends call these for anything that writes; read-only queries may go
to the catalogue directly.
"""
