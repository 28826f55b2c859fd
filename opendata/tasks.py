"""Thin Celery tasks of open data; safe to run twice (a refresh rebuilds the same rows)."""

from celery import shared_task

from opendata import services


@shared_task(name="opendata.refresh_all")
def refresh_all() -> dict:
    return {dataset.slug: dataset.row_count for dataset in services.datasets_refresh_all()}


@shared_task(name="opendata.refresh_dataset")
def refresh_dataset(slug: str) -> int:
    return services.dataset_refresh(slug=slug).row_count
