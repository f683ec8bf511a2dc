"""A check shared by the settings and the file cache, free of Django so that the settings can use it."""

import os
import stat


def is_private_folder(path):
    """Whether path is a real folder (not a link) of this user that nobody else may enter.

    Raises FileNotFoundError when there is nothing at path.
    """
    info = os.lstat(path)
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077
