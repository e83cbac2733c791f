"""Every CSV and Excel file the application writes, in one place.

A pure package: it may import only the standard library and openpyxl (no Flask,
no database), so that what makes a cell safe for a spreadsheet is decided here
once and tested on bytes alone.
"""
