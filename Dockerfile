# photoimport: the dashboard (default) or a worker (`python -m worker serve`), one image.
# Debian slim + the pinned wheels of requirements.txt: no system package is needed (Pillow and
# pillow-heif wheels carry libjpeg-turbo and libheif). Runs as a non-root user; the library
# (database, thumbnails, uploads, logs) lives in the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PHOTOIMPORT_HOME=/data

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 photoimport \
    && mkdir -p /data && chown photoimport:photoimport /data

USER photoimport
VOLUME ["/data"]
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
