//! Network definitions live in `local.toml`; the tests in `tests/`.
