FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Pango and a font for WeasyPrint, which prints the executed Letter of Agreement (grants/agreement_pdf.py).
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && useradd --create-home portal && mkdir -p /app/var && chown portal /app/var
USER portal
# Hashed, compressed static files at build time, and the same storage at run time (so pages link the hashed
# names, which whitenoise serves with a year's caching).
ENV STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage
RUN python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "ime_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
