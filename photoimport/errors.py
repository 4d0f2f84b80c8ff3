"""The exceptions photoimport raises, and the per-file error value.

Operations that fail raise a class from this tree; each front end (page, CLI, worker)
translates it once. A bad *file* is never an exception that leaves the pipeline: it is a
``FileError`` value recorded on that file.

```
PhotoimportError                   base of everything photoimport raises on purpose
 ├── ConfigError                   a setting or environment variable has a bad value
 ├── DatabaseError                 the database cannot be reached or migrated
 ├── SourceError                   an import source cannot be used
 │    ├── FolderNotFound           the folder does not exist
 │    ├── FolderNotReadable        the folder exists but cannot be listed
 │    ├── PathOutsideAllowedRoots  the folder is outside PHOTOIMPORT_ALLOWED_ROOTS
 │    └── NoImagesFound            the folder holds no image files
 ├── UploadRejected                an upload batch is over its caps
 ├── JobError                      a job operation cannot be done
 │    ├── JobNotFound              no job has that number
 │    └── InvalidJobTransition     e.g. pausing a job that has completed
 ├── WatchError                    a watched folder cannot be added or watched
 ├── DuplicatesError               a duplicates operation cannot be done
 │    ├── GroupNotFound            no duplicate group has that number
 │    ├── DuplicateDecisionNotFound no duplicate decision has that number
 │    └── InvalidResolution        e.g. keeping a photo that is not in the group
 └── FileNotInLibrary              no library file has that id
```
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Stage(StrEnum):
    """The step of ``process_file`` at which a file failed."""

    READ = "read"
    DETECT = "detect"
    METADATA = "metadata"
    DECODE = "decode"
    TIMESTAMP = "timestamp"
    HASH = "hash"
    THUMBNAIL = "thumbnail"


@dataclass(frozen=True)
class FileError:
    """A file that could not be processed: which file, at which stage, and why (plain words)."""

    path: Path
    stage: Stage
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.stage.value}: {self.reason}"


class PhotoimportError(Exception):
    """Base of every exception photoimport raises on purpose."""


class ConfigError(PhotoimportError):
    """A setting or environment variable has a value that cannot be used."""


class DatabaseError(PhotoimportError):
    """The database cannot be reached, opened or migrated."""


class SourceError(PhotoimportError):
    """An import source (folder) cannot be used."""


class FolderNotFound(SourceError):
    """The folder does not exist."""


class FolderNotReadable(SourceError):
    """The folder exists but cannot be listed."""


class PathOutsideAllowedRoots(SourceError):
    """The folder resolves to a place outside the allowed roots."""


class NoImagesFound(SourceError):
    """The folder holds no image files."""


class UploadRejected(PhotoimportError):
    """An upload batch is over its caps (number of files or total size)."""


class JobError(PhotoimportError):
    """A job operation cannot be done."""


class JobNotFound(JobError):
    """No job has that number."""


class InvalidJobTransition(JobError):
    """The job is in a state where the requested action does not apply."""


class WatchError(PhotoimportError):
    """A watched folder cannot be added, removed or watched."""


class FileNotInLibrary(PhotoimportError):
    """No file of the library has that id."""


class DuplicatesError(PhotoimportError):
    """A duplicates operation cannot be done."""


class GroupNotFound(DuplicatesError):
    """No duplicate group has that number."""


class DuplicateDecisionNotFound(DuplicatesError):
    """No duplicate decision has that number (or none is left to undo)."""


class InvalidResolution(DuplicatesError):
    """The resolution does not apply to the group (a photo not in it, an undone decision)."""
