"""Views of the surveys, one module per use case (see surveys/urls.py)."""
