"""The cell functions xlwings Server hosts (it imports a module of this name from the project)."""

from udfs.functions import *  # noqa: F403
