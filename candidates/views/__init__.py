"""Views of the candidate side, one module per use case (see candidates/urls.py)."""
