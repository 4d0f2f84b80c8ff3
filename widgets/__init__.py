"""Streamlit pieces shared by the dashboard and its pages: live job panel, summary, errors.

Not pages (``pages/`` holds only pages). No logic: every figure comes from ``photoimport``.
"""

__all__ = ["demo", "errors", "gallery_views", "panels", "summary"]
