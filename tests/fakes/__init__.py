"""Local fakes of external services, for tests and for fault-tolerance runs."""
