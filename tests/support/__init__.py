"""Code the tests share: imported as `support.*`, never from test modules or conftest."""
