"""Metadata in photo files, in the rooms of its work:

- ``facts``: what the scanner records about a photo (EXIF date taken, camera, GPS; DICOM equivalents);
- ``fields``: the description fields we read and write, by exiv2 key, and their limits;
- ``read``: what a photo and its sidecars say (descriptions, alt texts, keywords, title, creator...;
  ``read_file_metadata``), picked by the Metadata Working Group's rules (``mwg``), which trust IPTC
  over XMP only when the IPTC digest (``digest``) says the IPTC is newer;
- ``imported``: what a scan stores of them (imported captions of each kind, keywords, file_fields);
- ``plan``: what a write-back puts into a file (the approved caption, its provenance) and checks first;
- ``write``: the one write pipeline for embedded files and XMP sidecars (``write_metadata``);
- ``report``: what a write-back did, file by file.
"""
