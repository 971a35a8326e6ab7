"""Where Photo Annotator keeps its files: catalogue, settings, thumbnail cache and bundled resources.

Every location follows the platform's conventions (platformdirs) and can be overridden through the
environment, which is how tests and portable installs keep everything in one folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "photo-annotator"

DB_ENV = "PHOTO_ANNOTATOR_DB"
CACHE_ENV = "PHOTO_ANNOTATOR_CACHE"
DATA_ENV = "PHOTO_ANNOTATOR_DATA"
CONFIG_ENV = "PHOTO_ANNOTATOR_CONFIG"


def data_dir() -> Path:
    """The user data folder, where the default catalogue lives."""
    override = os.environ.get(DATA_ENV)
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """The cache folder: thumbnails and other files that can be rebuilt from the photos."""
    override = os.environ.get(CACHE_ENV)
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """The user config folder, where the user's settings.json lives."""
    override = os.environ.get(CONFIG_ENV)
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_catalogue_path() -> Path:
    return data_dir() / "catalogue.db"


def thumbnail_dir() -> Path:
    return cache_dir() / "thumbnails"


def resources_dir() -> Path:
    """Bundled resources: beside the package in a source checkout, inside it in an installed wheel."""
    package = Path(__file__).resolve().parent
    for candidate in (package.parent / "resources", package / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the bundled resources folder is missing from this installation")


def sample_library_dir() -> Path:
    return resources_dir() / "sample-library"
