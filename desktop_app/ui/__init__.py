"""The desktop app: Qt widgets over the catalogue and library services.

Widgets live on the GUI thread and only draw; catalogue queries, scans and image decoding run on
worker threads (``backend`` and ``image_loading``) and come back as queued signals.
"""
