"""photoimport: hash, date, de-duplicate, review and export piles of photos.

The core (no Streamlit). Front ends: ``photoimport.cli``, ``pages/`` + ``dashboard.py``,
``worker/``.
"""
