"""Exports: everything that leaves the screen.

Pure chart builders (``charts``), exhibits (every chart with its data and takeaway), images and
data files (``files``), the board pack (``pack``) and its e-mail (``mail``). Imports ``money``,
``analysis``, ``metrics`` and ``warehouse``.
"""
