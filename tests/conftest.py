"""Shared pytest configuration."""


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real JupyterLab in headless Chromium (runs in the normal suite; "
                            "deselect with -m 'not browser')")
