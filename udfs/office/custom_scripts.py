"""The ribbon scripts xlwings Server hosts (it imports a module of this name from the project)."""

from udfs.ribbon import *  # noqa: F403
