from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data: the first course, its labs and demo accounts (``seed_demo``)."""

    name = "demo"
