"""Metadata in photo files, in the rooms of its work:

- ``facts``: what the scanner records about a photo (EXIF date taken, camera, GPS; DICOM equivalents);
- ``fields``: the description fields we read and write, by exiv2 key, and their limits;
- ``read``: descriptions and keywords read from a photo and its sidecars (``read_file_metadata``);
- ``imported``: what a scan stores of them (imported captions, keywords);
- ``plan``: what a write-back puts into a file (the approved caption, its provenance) and checks first;
- ``write``: the one write pipeline for embedded files and XMP sidecars (``write_metadata``);
- ``report``: what a write-back did, file by file.
"""
