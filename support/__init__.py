"""Test and benchmark support: fake servers at process boundaries, real server processes,
private services for fault tests, the test environment. No product package imports it."""
