# Production image: gunicorn serves the app, the same image runs the Celery worker and beat.
FROM python:3.11-slim

# Production settings whatever the entry point (manage.py defaults to development otherwise).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DDR_VAR_DIR=/var/lib/ddr DJANGO_DEBUG=0
WORKDIR /app
# Pango and a font for WeasyPrint (handover receipts in PDF).
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
RUN useradd --system --home /app ddr && mkdir -p /var/lib/ddr && chown ddr /var/lib/ddr

# The pinned versions (and their hashes) of requirements.lock, then the project itself without
# resolving anything again: the same packages in every build (`make lock` re-pins them).
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY pyproject.toml README.md ./
COPY config config
COPY accounts accounts
COPY core core
COPY ddr ddr
COPY cantonment cantonment
COPY integration integration
COPY cvr cvr
COPY programme programme
RUN pip install --no-cache-dir --no-deps .
COPY . .
# Static files are collected at build time with throw-away values (never used at run time).
# scripts/check_production.sh runs the same in CI.
RUN DJANGO_SECRET_KEY=collectstatic-only DDR_PSEUDONYM_KEY=collectstatic-only-pseudonyms \
    DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput && chown -R ddr /var/lib/ddr

USER ddr
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
