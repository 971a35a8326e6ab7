"""Exports of the catalogue's current captions: CSV, JSON Lines, COCO captions and a Hugging Face
imagefolder (no Qt, no torch)."""

from desktop_app.exports.writers import (
    HF_EXTENSIONS,
    ExportError,
    ExportFormat,
    ExportRecord,
    ExportReport,
    export,
    hf_file_name,
)

__all__ = ["HF_EXTENSIONS", "ExportError", "ExportFormat", "ExportRecord", "ExportReport", "export",
           "hf_file_name"]
