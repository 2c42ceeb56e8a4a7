"""The validation button inside the workbook: the only package that imports xlwings.

``validate_book(book)`` and ``clear_marks(book)`` work on any ``xlwings.Book``; ``validate()`` and ``clear()``
are what the buttons run. Importing the package is light: the heavy imports happen when a button is pressed.
"""

from kehoach.xl_addin.button import clear, clear_marks, validate, validate_book

__all__ = ["clear", "clear_marks", "validate", "validate_book"]
