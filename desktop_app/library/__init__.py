"""Photo files on disk: scanning libraries, decoding images, metadata and thumbnails. No Qt, no torch."""
